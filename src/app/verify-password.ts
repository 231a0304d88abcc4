import type { VerifyResult } from "../crypto/password-hasher.js";
import { normalizePassword } from "../domain/password-policy.js";
import type { AppContext } from "./context.js";

/**
 * Verifies the NFKC form first (how passwords are hashed now), then the text as typed, for
 * hashes imported from systems that did not normalise.
 */
export async function verifyPassword(ctx: AppContext, typed: string, hash: string): Promise<VerifyResult> {
  const normalized = normalizePassword(typed);
  const result = await ctx.hasher.verify(normalized, hash);
  if (result.matches || normalized === typed) return result;
  return ctx.hasher.verify(typed, hash);
}
