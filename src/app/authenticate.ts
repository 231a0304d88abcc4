import { digestsEqual } from "../crypto/digest.js";
import type { SessionState } from "../domain/session.js";
import type { ApiToken } from "../store/api-tokens.js";
import type { AppContext } from "./context.js";
import { tokenDigest } from "./bootstrap.js";
import { authenticateSessionToken } from "./sessions.js";

export type Credential = { kind: "api_token"; token: ApiToken } | { kind: "session"; session: SessionState };

/**
 * What a bearer token stands for: an API token of a service account, or a user's active session.
 * Lookups are by keyed digest, which an attacker cannot steer towards a stored one; the final
 * comparison is constant-time as well.
 */
export async function authenticateBearer(ctx: AppContext, bearer: string): Promise<Credential | null> {
  if (bearer.length === 0 || bearer.length > 512) return null;
  const digest = tokenDigest(ctx.keys, bearer);
  const stored = await ctx.store.tokens.byDigest(digest);
  if (stored !== null && digestsEqual(stored.digest, digest)) {
    return { kind: "api_token", token: { tokenId: stored.tokenId, name: stored.name, permissions: stored.permissions } };
  }
  const session = await authenticateSessionToken(ctx, bearer);
  return session === null ? null : { kind: "session", session };
}
