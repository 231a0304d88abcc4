import { digestsEqual } from "../crypto/digest.js";
import type { ApiToken } from "../store/api-tokens.js";
import type { AppContext } from "./context.js";
import { tokenDigest } from "./bootstrap.js";

/**
 * The API token behind a bearer token, or null. The index lookup is by keyed digest, which an
 * attacker cannot steer towards a stored one; the final comparison is constant-time as well.
 */
export function authenticateToken(ctx: AppContext, token: string): ApiToken | null {
  if (token.length === 0 || token.length > 512) return null;
  const digest = tokenDigest(ctx.keys, token);
  const stored = ctx.store.tokens.byDigest(digest);
  if (stored === null || !digestsEqual(stored.digest, digest)) return null;
  return { tokenId: stored.tokenId, name: stored.name, permissions: stored.permissions };
}
