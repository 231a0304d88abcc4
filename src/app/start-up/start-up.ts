import type { Keys } from "../../crypto/keys.js";
import type { Peppers } from "../../crypto/peppers.js";
import type { Store } from "../../store/store.js";
import { recordUnrecordedTokens } from "../tokens/api-tokens.js";
import { ensureAdminToken, ensureSecretMatches } from "./bootstrap.js";
import { ensurePeppersUsable } from "./peppers-in-use.js";
import { ensureProjectionsCurrent } from "./rebuild-projections.js";

/**
 * What every command does first with a store it opened, in this order: the secret must be the
 * one the store was set up with, and tokens that expired before their expiry could be recorded get
 * it recorded, so that what follows reads a settled store.
 */
export async function openedStoreChecks(store: Store, keys: Keys): Promise<void> {
  await ensureSecretMatches(store, keys);
  await recordUnrecordedTokens(store);
}

interface ServingStart {
  /** Events replayed because this version reads the projections differently; null when none was needed. */
  replayed: number | null;
  /** The bootstrap admin token made now, to be shown once; null when one exists or is configured. */
  generatedAdminToken: string | null;
}

/** The start of `serve`: the checks every command makes, then what serving needs besides. */
export async function startServing(
  store: Store,
  keys: Keys,
  peppers: Peppers,
  adminToken: string | undefined,
  now: number,
): Promise<ServingStart> {
  await openedStoreChecks(store, keys);
  await ensurePeppersUsable(store, peppers);
  const replayed = await ensureProjectionsCurrent(store);
  const generatedAdminToken = await ensureAdminToken(store, keys, adminToken, now);
  return { replayed, generatedAdminToken };
}
