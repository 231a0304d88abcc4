/** Public reset requests for one user open at most one code per this interval. */
export const PUBLIC_RESET_INTERVAL_MS = 60_000;

/** A reset code is void after this many wrong attempts; the user must request a new one. */
export const MAX_CODE_ATTEMPTS = 5;

export interface PasswordCode {
  /** Keyed digest of the code; the code itself is never kept. */
  digest: string;
  createdAt: number;
  expiresAt: number;
  failedAttempts: number;
}

export type CodeStatus = "missing" | "expired" | "void" | "open";

export function resetRequestedRecently(code: PasswordCode | null, now: number): boolean {
  return code !== null && now - code.createdAt < PUBLIC_RESET_INTERVAL_MS;
}

export function codeStatus(code: PasswordCode | null, now: number): CodeStatus {
  if (code === null) return "missing";
  if (code.failedAttempts >= MAX_CODE_ATTEMPTS) return "void";
  if (now >= code.expiresAt) return "expired";
  return "open";
}
