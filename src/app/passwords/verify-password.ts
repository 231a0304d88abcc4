import type { VerifyResult } from "../../crypto/password-hasher.js";
import { normalizePassword } from "../../domain/password-policy.js";
import type { AppContext } from "../shared/context.js";

/**
 * Verifies the NFKC form (how passwords are hashed now) and, where it differs, the text as typed,
 * for hashes imported from systems that did not normalise. Both compares always run: the work
 * depends on the typed text only, never on the hash or on whether it matched, so a login for an
 * unknown name (verified against a dummy hash) costs exactly what one for a known name costs.
 */
export async function verifyPassword(app: Pick<AppContext, "hasher">, typed: string, hash: string): Promise<VerifyResult> {
  const normalized = normalizePassword(typed);
  const [asNormalized, asTyped] = await Promise.all([
    app.hasher.verify(normalized, hash),
    normalized === typed ? null : app.hasher.verify(typed, hash),
  ]);
  return asNormalized.matches || asTyped === null ? asNormalized : asTyped;
}
