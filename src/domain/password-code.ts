/** Public reset requests for one user open at most one code per this interval. */
const PUBLIC_RESET_INTERVAL_MS = 60_000;

/** How a code reached its holder: returned to a trusted caller, or sent by e-mail or SMS. */
export type CodeMedium = "returned" | "email" | "sms";

export interface PasswordCode {
  /** Keyed digest of the code; the code itself is never kept. */
  digest: string;
  createdAt: number;
  expiresAt: number;
  /**
   * Wrong guesses recorded by earlier versions. Guesses never void a code (anyone who knows a user
   * id could otherwise void every code its owner is sent) and are no longer recorded; guessing is
   * bounded by the code's 46 bits, its lifetime and the rate limits.
   */
  failedAttempts: number;
  /** For a code sent by link: what it is computed from, so that it can be sent again unchanged. */
  linkId: string | null;
  /** When it was last sent. */
  sentAt: number;
  medium: CodeMedium;
}

type CodeStatus = "missing" | "expired" | "open";

type PublicResetAction = "nothing" | "resend" | "new_code";

/**
 * What a public forgot-password request does. An open link code is sent again, unchanged, rather
 * than replaced: a stranger's requests must never take away the link in the owner's mailbox. At
 * most one message per user per interval; a returned or expired code is replaced by a new one.
 */
export function publicResetAction(code: PasswordCode | null, now: number): PublicResetAction {
  if (code === null) return "new_code";
  if (now - Math.max(code.createdAt, code.sentAt) < PUBLIC_RESET_INTERVAL_MS) return "nothing";
  return code.linkId !== null && codeStatus(code, now) === "open" ? "resend" : "new_code";
}

export function codeStatus(code: PasswordCode | null, now: number): CodeStatus {
  if (code === null) return "missing";
  if (now >= code.expiresAt) return "expired";
  return "open";
}
