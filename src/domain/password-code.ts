/** Public reset requests for one user open at most one code per this interval. */
export const PUBLIC_RESET_INTERVAL_MS = 60_000;

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
}

export type CodeStatus = "missing" | "expired" | "open";

export function resetRequestedRecently(code: PasswordCode | null, now: number): boolean {
  return code !== null && now - code.createdAt < PUBLIC_RESET_INTERVAL_MS;
}

export function codeStatus(code: PasswordCode | null, now: number): CodeStatus {
  if (code === null) return "missing";
  if (now >= code.expiresAt) return "expired";
  return "open";
}
