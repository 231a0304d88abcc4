import type { ApiToken } from "../store/api-tokens.js";
import type { AppContext } from "./context.js";
import { tokenDigest } from "./bootstrap.js";

/**
 * The API token behind a bearer token, or null. The lookup is by keyed digest, so its timing
 * depends on the digest, which an attacker cannot steer towards a stored one.
 */
export function authenticateToken(ctx: AppContext, token: string): ApiToken | null {
  if (token.length === 0 || token.length > 512) return null;
  return ctx.store.tokens.byDigest(tokenDigest(ctx.keys, token));
}
