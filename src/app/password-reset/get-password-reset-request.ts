import { digestsEqual } from "../../crypto/digest.js";
import { codeStatus, type CodeMedium, type PasswordCode } from "../../domain/password-code.js";
import { userNotFound } from "../../domain/user-commands.js";
import type { AppContext } from "../shared/context.js";
import { personalFields } from "../shared/personal-fields.js";
import { codeDigest } from "../shared/digests.js";

type ResetRequestView =
  | { state: "invalid" }
  | { state: "valid" | "expired"; expiresAt: number; medium: CodeMedium; displayName: string; maskedLoginName: string };

/**
 * What a reset page may know before it asks for the new password. Only the holder of the right
 * code learns anything: a wrong code, an unknown user and no open code answer alike, after the
 * same work (the code's digest is computed either way). Nothing is written: the code stays open,
 * and a wrong one counts exactly as a wrong redemption does (it is not recorded; see issue 9's
 * rule that guesses never void a code).
 */
export async function getPasswordResetRequest(
  app: Pick<AppContext, "clock" | "keys" | "store">,
  userId: string,
  code: string,
): Promise<ResetRequestView> {
  const user = await app.store.users.get(userId);
  const digest = codeDigest(app.keys, userId, code);
  const held = user?.passwordCode ?? null;
  if (user === null || held === null || !digestsEqual(digest, held.digest)) return { state: "invalid" };
  return {
    state: codeStatus(held, app.clock()) === "open" ? "valid" : "expired",
    expiresAt: held.expiresAt,
    medium: held.medium,
    displayName: personalFields(user).name,
    maskedLoginName: maskEmail(user.email),
  };
}

/** A user's open reset, for an administrator; null when none is open. */
export async function getOpenPasswordReset(app: Pick<AppContext, "clock" | "store">, userId: string): Promise<PasswordCode | null> {
  const user = await app.store.users.get(userId);
  if (user === null) throw userNotFound();
  const code = user.passwordCode;
  return code !== null && codeStatus(code, app.clock()) === "open" ? code : null;
}

/** `ada.lovelace@example.com` → `a***@example.com`: enough to recognise one's own address. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  const [first] = [...email.slice(0, Math.max(at, 0))];
  return `${first ?? ""}***${email.slice(at)}`;
}
