import { generateId, generateToken } from "../crypto/codes.js";
import { keyedDigest } from "../crypto/digest.js";
import type { Keys } from "../crypto/keys.js";
import { evolveOrg, type OrgEvent } from "../domain/org.js";
import type { Store } from "../store/store.js";

export const ORG_AGGREGATE = "org";
const DEFAULT_ORG_KEY = "default_org_id";
const ADMIN_TOKEN_ISSUED_KEY = "admin_token_issued";
export const BOOTSTRAP_ADMIN_ID = "bootstrap-admin";
export const ALL_PERMISSIONS = "*";

/** The organization that owns users created without one; made on the first start. */
export function ensureDefaultOrg(store: Store, now: number): string {
  const existing = store.settings.get(DEFAULT_ORG_KEY);
  if (existing !== null) return existing;
  const orgId = generateId();
  const event: OrgEvent = { type: "org.added", name: "Default", domain: "default" };
  store.transaction(() => {
    store.events.append(
      {
        aggregateType: ORG_AGGREGATE,
        aggregateId: orgId,
        owner: orgId,
        creator: "system",
        expectedSequence: 0,
        createdAt: now,
        events: [event],
      },
      () => store.orgs.save(evolveOrg(null, { event, aggregateId: orgId, sequence: 1, createdAt: now })),
    );
    store.settings.set(DEFAULT_ORG_KEY, orgId);
  });
  return orgId;
}

/**
 * Installs the configured admin token, or on a fresh data dir a generated one. Only the digest is
 * kept; a generated token is returned so the caller can print it, once.
 */
export function ensureAdminToken(store: Store, keys: Keys, configured: string | undefined, now: number): string | null {
  // Once any admin token exists, a start without one keeps it: only a fresh data dir generates.
  if (configured === undefined && store.settings.get(ADMIN_TOKEN_ISSUED_KEY) !== null) return null;
  const token = configured ?? generateToken();
  store.transaction(() => {
    store.tokens.put(
      { tokenId: BOOTSTRAP_ADMIN_ID, name: "bootstrap admin", permissions: [ALL_PERMISSIONS] },
      tokenDigest(keys, token),
      now,
    );
    store.settings.set(ADMIN_TOKEN_ISSUED_KEY, String(now));
  });
  return configured === undefined ? token : null;
}

export function tokenDigest(keys: Keys, token: string): string {
  return keyedDigest(keys.tokens, "api-token", token);
}
