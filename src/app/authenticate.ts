import { digestsEqual } from "../crypto/digest.js";
import { tokenStatus, type ApiTokenState } from "../domain/api-token.js";
import type { SessionState } from "../domain/session.js";
import type { AppContext } from "./context.js";
import { recordExpiry, tokenDigest } from "./api-tokens.js";
import { authenticateSessionToken } from "./sessions.js";

export type ApiToken = Pick<ApiTokenState, "tokenId" | "name" | "permissions">;
export type Credential = { kind: "api_token"; token: ApiToken } | { kind: "session"; session: SessionState };

/** A token's last use is written at most this often, so a busy token costs no write per call. */
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * What a bearer token stands for: an active API token of a service account, or a user's active
 * session. Lookups are by keyed digest, which an attacker cannot steer towards a stored one; the
 * final comparison is constant-time as well. A revoked or expired API token is looked up again as
 * a session token, as an unknown one is, so both answer alike.
 */
export async function authenticateBearer(ctx: AppContext, bearer: string): Promise<Credential | null> {
  if (bearer.length === 0 || bearer.length > 512) return null;
  const digest = tokenDigest(ctx.keys, bearer);
  const stored = await ctx.store.tokens.byDigest(digest);
  if (stored !== null && digestsEqual(stored.digest, digest)) {
    const now = ctx.clock();
    const status = tokenStatus(stored, now);
    if (status === "active") {
      if (stored.lastUsedAt === null || now - stored.lastUsedAt >= LAST_USE_RESOLUTION_MS) {
        ctx.background.run("token use", () => ctx.store.tokens.markUsed(stored.tokenId, now, LAST_USE_RESOLUTION_MS));
      }
      return { kind: "api_token", token: { tokenId: stored.tokenId, name: stored.name, permissions: stored.permissions } };
    }
    if (status === "expired" && stored.expiredAt === null) {
      ctx.background.run("token expiry", () => recordExpiry(ctx.store, stored, now));
    }
  }
  const session = await authenticateSessionToken(ctx, bearer);
  return session === null ? null : { kind: "session", session };
}
