import { generateId, generateToken } from "../crypto/codes.js";
import { keyedDigest } from "../crypto/digest.js";
import type { Keys } from "../crypto/keys.js";
import { evolveOrg, type OrgEvent } from "../domain/org.js";
import type { Store } from "../store/store.js";

export const ORG_AGGREGATE = "org";
const DEFAULT_ORG_KEY = "default_org_id";
export const BOOTSTRAP_ADMIN_ID = "bootstrap-admin";
export const ALL_PERMISSIONS = "*";

/** The organization that owns users created without one; made on the first start. */
export function ensureDefaultOrg(store: Store, now: number): string {
  const existing = store.settings.get(DEFAULT_ORG_KEY);
  if (existing !== null) return existing;
  const orgId = generateId();
  const event: OrgEvent = { type: "org.added", name: "Default", domain: "default" };
  const { type, ...payload } = event;
  store.transaction(() => {
    store.events.append(
      {
        aggregateType: ORG_AGGREGATE,
        aggregateId: orgId,
        owner: orgId,
        creator: "system",
        expectedSequence: 0,
        createdAt: now,
        events: [{ type, payload }],
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
  const token = { tokenId: BOOTSTRAP_ADMIN_ID, name: "bootstrap admin", permissions: [ALL_PERMISSIONS] };
  if (configured !== undefined) {
    store.tokens.put(token, tokenDigest(keys, configured), now);
    return null;
  }
  if (store.settings.get("admin_token_issued") !== null) return null;
  const generated = generateToken();
  store.transaction(() => {
    store.tokens.put(token, tokenDigest(keys, generated), now);
    store.settings.set("admin_token_issued", String(now));
  });
  return generated;
}

export function tokenDigest(keys: Keys, token: string): string {
  return keyedDigest(keys.tokens, "api-token", token);
}
