import { generateId, generateToken } from "../crypto/codes.js";
import { keyedDigest } from "../crypto/digest.js";
import type { Keys } from "../crypto/keys.js";
import { tokenStatus, type ApiTokenEvent, type ApiTokenState, type ApiTokenStatus } from "../domain/api-token.js";
import { ConcurrencyError } from "../store/events.js";
import { appenderIn, type Store } from "../store/store.js";
import { API_TOKENS, appendEvents } from "./aggregates.js";
import type { Actor } from "./context.js";

/** API tokens belong to the installation, not to an organization. */
const TOKEN_OWNER = "instance";
/** Who writes token events from the command line, and from the server's own bookkeeping. */
const CLI_ACTOR: Actor = { id: "cli" };
export const SYSTEM_ACTOR: Actor = { id: "system" };

export function tokenDigest(keys: Keys, token: string): string {
  return keyedDigest(keys.tokens, "api-token", token);
}

/** Appends one token's events after the state they were decided on. */
export function appendTokenEvents(
  store: Pick<Store, "append">,
  actor: Actor,
  tokenId: string,
  state: ApiTokenState | null,
  events: ApiTokenEvent[],
  now: number,
): Promise<ApiTokenState> {
  return appendEvents(store, API_TOKENS, { id: tokenId, owner: TOKEN_OWNER, actor, state, events, createdAt: now });
}

/** A new API token for a service account. The token is returned once; only its digest is kept. */
export async function createApiToken(
  store: Store,
  keys: Keys,
  request: { name: string; permissions: readonly string[]; expiresAt: number | null },
  now: number,
): Promise<{ tokenId: string; token: string }> {
  const token = generateToken();
  const tokenId = `token-${generateId()}`;
  const added: ApiTokenEvent = {
    type: "api_token.added",
    name: request.name,
    permissions: [...request.permissions],
    digest: tokenDigest(keys, token),
    expiresAt: request.expiresAt,
  };
  await appendTokenEvents(store, CLI_ACTOR, tokenId, null, [added], now);
  return { tokenId, token };
}

export interface ListedToken {
  tokenId: string;
  name: string;
  permissions: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  status: ApiTokenStatus;
}

/** Every token as an operator sees it: never the token, nor its digest. */
export async function listApiTokens(store: Store, now: number): Promise<ListedToken[]> {
  return (await store.tokens.list()).map((t) => ({
    tokenId: t.tokenId,
    name: t.name,
    permissions: t.permissions,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt,
    lastUsedAt: t.lastUsedAt,
    status: tokenStatus(t, now),
  }));
}

export class TokenNotFoundError extends Error {
  constructor(which: string, detail = "") {
    super(`no API token has the id or name "${which}"${detail}`);
    this.name = "TokenNotFoundError";
  }
}

/**
 * Revokes a token named by its id, or by a name only one token that is still active holds. Running
 * servers refuse it from their next call on: they read the token's row for every call.
 */
export async function revokeApiToken(store: Store, which: string, now: number): Promise<ApiTokenState> {
  const tokens = await store.tokens.list();
  const byId = tokens.find((t) => t.tokenId === which);
  const byName = tokens.filter((t) => t.name === which && tokenStatus(t, now) === "active");
  if (byId === undefined && byName.length > 1) {
    throw new TokenNotFoundError(which, `: ${byName.length} active tokens have that name, revoke one by its id (token list)`);
  }
  const target = byId ?? byName[0];
  if (target === undefined) throw new TokenNotFoundError(which);
  if (target.revokedAt !== null) return target;
  return appendTokenEvents(store, CLI_ACTOR, target.tokenId, target, [{ type: "api_token.revoked" }], now);
}

/** Records, for the audit trail, the expiry of tokens past it (it took effect at their expiry regardless). */
export async function recordExpiredTokens(store: Store, now: number): Promise<void> {
  for (const token of await store.tokens.expiredUnrecorded(now)) await recordExpiry(store, token, now);
}

/** Records one token's expiry; another call or replica doing it first is no error. */
export async function recordExpiry(store: Pick<Store, "append">, token: ApiTokenState, now: number): Promise<void> {
  try {
    await appendTokenEvents(store, SYSTEM_ACTOR, token.tokenId, token, [{ type: "api_token.expired" }], now);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
}

/**
 * Gives each token stored before tokens were event-sourced its `api_token.added` event, so the
 * projection can be rebuilt from the log. Runs before any rebuild; a no-op once done.
 */
export async function recordUnrecordedTokens(store: Store): Promise<void> {
  if ((await store.tokens.unrecorded()).length === 0) return;
  await store.exclusive(async (tx) => {
    for (const token of await tx.tokens.unrecorded()) {
      const { tokenId, name, permissions, digest, createdAt } = token;
      const added: ApiTokenEvent = { type: "api_token.added", name, permissions, digest, expiresAt: null };
      await appendTokenEvents(appenderIn(tx), SYSTEM_ACTOR, tokenId, null, [added], createdAt);
    }
  });
}
