import { DomainError } from "./errors.js";

export interface LockoutPolicy {
  /** Consecutive failed password checks that lock the user; 0 never locks. */
  maxPasswordAttempts: number;
  /**
   * How long the first password lockout lasts; each further one in a row (no successful check in
   * between) lasts twice as long, up to a day. 0: until an administrator unlocks or a reset code
   * is redeemed.
   */
  lockoutDurationMs: number;
}

export type LockReason = "too_many_password_attempts" | "administrator";

export interface Lock {
  reason: LockReason;
  at: number;
}

const LONGEST_LOCKOUT_MS = 24 * 3_600_000;

/** Whether the next failure, bringing the count to `failuresAfter`, locks. */
export function locksAfter(failuresAfter: number, policy: LockoutPolicy): boolean {
  return policy.maxPasswordAttempts > 0 && failuresAfter >= policy.maxPasswordAttempts;
}

/** Lockouts in a row double the lockout's length this many times at the most (and a day caps it). */
const MOST_DOUBLINGS = 20;

/**
 * How long a password lockout lasts, by the lockouts in a row it is the last of: index n for n
 * lockouts, the last entry for any more. Null when it lasts until unlocked. The store's search
 * reads its locked filter from this table (store/user-search.ts), so the rule is written once.
 */
export function passwordLockDurations(policy: LockoutPolicy): number[] | null {
  if (policy.lockoutDurationMs === 0) return null;
  return Array.from({ length: MOST_DOUBLINGS + 2 }, (_, lockoutsInARow) =>
    Math.min(policy.lockoutDurationMs * 2 ** Math.min(Math.max(lockoutsInARow - 1, 0), MOST_DOUBLINGS), LONGEST_LOCKOUT_MS),
  );
}

/** When a lock ends by itself: an administrator's never, a password lockout after its (growing) duration. */
function lockEndsAt(lock: Lock, lockoutsInARow: number, policy: LockoutPolicy): number {
  const durations = passwordLockDurations(policy);
  if (lock.reason === "administrator" || durations === null) return Infinity;
  return lock.at + durations[Math.min(lockoutsInARow, durations.length - 1)]!;
}

/** Whether the user is locked at `now`, by either kind of lock. */
export function isLocked(user: { lock: Lock | null; passwordLockouts: number }, now: number, policy: LockoutPolicy): boolean {
  return user.lock !== null && now < lockEndsAt(user.lock, user.passwordLockouts, policy);
}

/** The same answer for a wrong password, an unknown login name, and a wrong current password. */
export function loginFailed(failedAttempts: number): DomainError {
  return new DomainError("LOGIN_FAILED", "the login name or password is wrong", [], failedAttempts);
}

export function userLocked(): DomainError {
  return new DomainError("USER_LOCKED", "user locked. Try again later or reset the password or ask an administrator");
}
