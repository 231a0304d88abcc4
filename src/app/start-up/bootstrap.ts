import { generateId, generateToken } from "../../crypto/codes.js";
import type { Keys } from "../../crypto/keys.js";
import type { OrgEvent } from "../../domain/org.js";
import { appenderIn, type Store } from "../../store/store.js";
import { ORGS } from "../shared/aggregates.js";
import { SYSTEM_ACTOR, tokenCommand } from "../tokens/api-tokens.js";
import { apiTokenDigest } from "../shared/digests.js";
import { commandStoreIn, handleCommand } from "../shared/command-handler.js";

const DEFAULT_ORG_KEY = "default_org_id";
const ADMIN_TOKEN_ISSUED_KEY = "admin_token_issued";
const SECRET_FINGERPRINT_KEY = "secret_fingerprint";
const BOOTSTRAP_ADMIN_ID = "bootstrap-admin";
export const ALL_PERMISSIONS = "*";

/** This process was given another secret than the one the database was set up with. */
class SecretMismatchError extends Error {
  constructor() {
    super(
      "the server secret differs from the one this database was set up with (its fingerprint does not match): " +
        "every replica needs the same LATCHKEY_SECRET",
    );
    this.name = "SecretMismatchError";
  }
}

/**
 * Records the secret's fingerprint on the first start and refuses any other secret later, so a
 * replica with the wrong key stops at once instead of failing every code and token it checks.
 */
export async function ensureSecretMatches(store: Store, keys: Keys): Promise<void> {
  const recorded = await store.exclusive(async (tx) => {
    const existing = await tx.settings.get(SECRET_FINGERPRINT_KEY);
    if (existing === null) await tx.settings.set(SECRET_FINGERPRINT_KEY, keys.fingerprint);
    return existing ?? keys.fingerprint;
  });
  if (recorded !== keys.fingerprint) throw new SecretMismatchError();
}

/** The organization that owns users created without one; made once, however many replicas start together. */
export async function ensureDefaultOrg(store: Store, now: number): Promise<string> {
  const existing = await store.settings.get(DEFAULT_ORG_KEY);
  if (existing !== null) return existing;
  return store.exclusive(async (tx) => {
    const made = await tx.settings.get(DEFAULT_ORG_KEY);
    if (made !== null) return made;
    const orgId = generateId();
    const event: OrgEvent = { type: "org.added", name: "Default", domain: "default" };
    await handleCommand(
      commandStoreIn(tx, appenderIn(tx)),
      ORGS,
      orgId,
      SYSTEM_ACTOR,
      () => now,
      () => ({ events: [event], owner: orgId }),
    );
    await tx.settings.set(DEFAULT_ORG_KEY, orgId);
    return orgId;
  });
}

/**
 * Installs the configured admin token, or on a fresh database a generated one. Only the digest is
 * kept; a generated token is returned so the caller can print it, once. A configured token that
 * differs from the installed one re-issues it (also after a revocation); the same one is left as it
 * is, revoked or not.
 */
export async function ensureAdminToken(store: Store, keys: Keys, configured: string | undefined, now: number): Promise<string | null> {
  return store.exclusive(async (tx) => {
    // Once any admin token exists, a start without one keeps it: only a fresh database generates.
    if (configured === undefined && (await tx.settings.get(ADMIN_TOKEN_ISSUED_KEY)) !== null) return null;
    const token = configured ?? generateToken();
    const digest = apiTokenDigest(keys, token);
    await tokenCommand(commandStoreIn(tx, appenderIn(tx)), SYSTEM_ACTOR, BOOTSTRAP_ADMIN_ID, now, (installed) => {
      if (installed === null)
        return [{ type: "api_token.added", name: "bootstrap admin", permissions: [ALL_PERMISSIONS], digest, expiresAt: null }];
      return installed.digest === digest ? [] : [{ type: "api_token.reissued", digest }];
    });
    await tx.settings.set(ADMIN_TOKEN_ISSUED_KEY, String(now));
    return configured === undefined ? token : null;
  });
}
