import { DomainError } from "./errors.js";

export interface LockoutPolicy {
  /** Consecutive failed password checks that lock the user; 0 never locks. */
  maxPasswordAttempts: number;
}

/** Whether the next failure, bringing the count to `failuresAfter`, locks. */
export function locksAfter(failuresAfter: number, policy: LockoutPolicy): boolean {
  return policy.maxPasswordAttempts > 0 && failuresAfter >= policy.maxPasswordAttempts;
}

/** The same answer for a wrong password, an unknown login name, and a wrong current password. */
export function loginFailed(failedAttempts: number): DomainError {
  return new DomainError("LOGIN_FAILED", "the login name or password is wrong", [], failedAttempts);
}

export function userLocked(): DomainError {
  return new DomainError("USER_LOCKED", "user locked. Ask an administrator or reset the password");
}
