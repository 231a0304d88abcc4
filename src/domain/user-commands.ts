import { DomainError } from "./errors.js";
import { isLocked, locksAfter, loginFailed, userLocked, type LockoutPolicy } from "./lockout.js";
import { codeStatus, type CodeMedium } from "./password-code.js";
import { type UserState, type UserEvent, type HumanIdentity, identityOf } from "./user.js";

/** What the application established before deciding: the secret checks are done outside the domain. */
export type Verification =
  | { kind: "current_password"; matches: boolean; sessionId?: string }
  | { kind: "verification_code"; matches: boolean }
  | { kind: "privileged" };

export type UserCommand =
  | ({
      type: "AddHumanUser";
      userId: string;
      orgId: string;
      password: { hash: string; changeRequired: boolean } | null;
      /** Added under an administrator's lock (a user another system had deactivated). */
      locked?: boolean;
    } & HumanIdentity)
  | {
      type: "SetPassword";
      verification: Verification;
      newPasswordHash: string;
      changeRequired: boolean;
      /** Whether the new password verifies against the current hash. */
      sameAsCurrent: boolean;
      /** Whether it verifies against one of the hashes the reuse rule covers. */
      recentlyUsed: boolean;
      /** The verified current hash was made with an older scheme or cost. */
      currentHashOutdated: boolean;
      lockout: LockoutPolicy;
    }
  | { type: "CheckPassword"; matches: boolean; upgradedHash: string | null; lockout: LockoutPolicy }
  | { type: "RequestPasswordCode"; codeDigest: string; expiresAt: number; medium: CodeMedium; linkId?: string }
  | { type: "ResendPasswordCode" }
  | { type: "LockUser" }
  | { type: "UnlockUser"; lockout: LockoutPolicy }
  | { type: "DeactivateUser" }
  | { type: "ReactivateUser" };

/** Events to append, and the error to answer with after appending them (a failed check is recorded). */
export interface Decision {
  events: UserEvent[];
  error?: DomainError;
}

const accept = (...events: UserEvent[]): Decision => ({ events });
const reject = (error: DomainError, ...events: UserEvent[]): Decision => ({ events, error });

export function decide(command: UserCommand, state: UserState | null, now: number): Decision {
  if (command.type === "AddHumanUser") {
    if (state !== null) return reject(new DomainError("USER_ID_TAKEN", "a user with this id already exists"));
    const added: UserEvent = {
      type: "user.human.added",
      ...identityOf(command),
      passwordHash: command.password?.hash ?? null,
      passwordChangeRequired: command.password?.changeRequired ?? false,
    };
    return command.locked ? accept(added, { type: "user.locked", reason: "administrator" }) : accept(added);
  }
  if (state === null) return reject(userNotFound());
  if (state.deactivated) {
    const refused = refusedWhileDeactivated(command);
    if (refused !== null) return reject(refused);
  }
  switch (command.type) {
    case "SetPassword":
      return decideSetPassword(command, state, now);
    case "CheckPassword": {
      const checked = checkPassword(state, command.matches, command.lockout, now, loginFailed);
      if (checked.error || command.upgradedHash === null) return checked;
      return accept(...checked.events, { type: "user.human.password.hash.upgraded", passwordHash: command.upgradedHash });
    }
    case "RequestPasswordCode":
      return accept({
        type: "user.human.password.code.added",
        codeDigest: command.codeDigest,
        expiresAt: command.expiresAt,
        medium: command.medium,
        ...(command.linkId !== undefined && { linkId: command.linkId }),
      });
    case "ResendPasswordCode":
      return state.passwordCode?.linkId && codeStatus(state.passwordCode, now) === "open"
        ? accept({ type: "user.human.password.code.resent" })
        : reject(new DomainError("INVALID_ARGUMENT", "no open link code to send again"));
    case "LockUser":
      // An administrator's lock replaces a password lockout: it holds until an administrator lifts it.
      return state.lock?.reason === "administrator"
        ? reject(new DomainError("USER_LOCKED", "the user is already locked"))
        : accept({ type: "user.locked", reason: "administrator" });
    case "UnlockUser":
      return isLocked(state, now, command.lockout)
        ? accept({ type: "user.unlocked", reason: "administrator" })
        : reject(new DomainError("USER_NOT_LOCKED", "the user is not locked"));
    case "DeactivateUser":
      return state.deactivated
        ? reject(new DomainError("USER_DEACTIVATED", "the user is already deactivated"))
        : accept({ type: "user.deactivated" });
    case "ReactivateUser":
      return state.deactivated
        ? accept({ type: "user.reactivated" })
        : reject(new DomainError("USER_NOT_DEACTIVATED", "the user is not deactivated"));
  }
}

/**
 * What a deactivated user's password may not do, and the answer: a code is refused as any wrong
 * code is (its open code was voided), a login as a wrong password is (the application answers for
 * the name), anything else names the state to the privileged caller who asked.
 */
function refusedWhileDeactivated(command: UserCommand): DomainError | null {
  switch (command.type) {
    case "SetPassword":
      return command.verification.kind === "verification_code" ? codeRefused() : userDeactivated();
    case "CheckPassword":
      return loginFailed(0);
    case "RequestPasswordCode":
    case "ResendPasswordCode":
      return userDeactivated();
    default:
      return null;
  }
}

export function userDeactivated(): DomainError {
  return new DomainError("USER_DEACTIVATED", "the user is deactivated");
}

function decideSetPassword(command: Extract<UserCommand, { type: "SetPassword" }>, state: UserState, now: number): Decision {
  const verified = checkVerification(state, command.verification, now, command.lockout);
  if (verified.error) return verified;
  // With a code, the new password is not compared with the current or earlier ones: whoever holds
  // the code may set any password the policy allows, and learns nothing about the old ones.
  const byCode = command.verification.kind === "verification_code";
  if (command.sameAsCurrent && !byCode) {
    // The new hash is a fresh hash of the current password: still worth keeping if the old one is outdated.
    const upgrade: UserEvent[] = command.currentHashOutdated
      ? [{ type: "user.human.password.hash.upgraded", passwordHash: command.newPasswordHash }]
      : [];
    return reject(
      new DomainError("PASSWORD_UNCHANGED", "the new password must differ from the current password"),
      ...verified.events,
      ...upgrade,
    );
  }
  if (command.recentlyUsed && !byCode) {
    return reject(
      new DomainError("PASSWORD_POLICY_VIOLATED", "the new password was used recently. Choose another one", [
        { field: "password", description: "must not be one of the recently used passwords" },
      ]),
      ...verified.events,
    );
  }
  const changed: UserEvent = {
    type: "user.human.password.changed",
    passwordHash: command.newPasswordHash,
    changeRequired: command.changeRequired,
    method: command.verification.kind,
    keptSessionId: command.verification.kind === "current_password" ? (command.verification.sessionId ?? null) : null,
  };
  // Proving control of the mailbox or phone is what a locked-out user is told to do: it lifts a
  // password lockout. An administrator's lock stays until an administrator lifts it.
  const unlock: UserEvent[] =
    byCode && state.lock?.reason === "too_many_password_attempts" && isLocked(state, now, command.lockout)
      ? [{ type: "user.unlocked", reason: "verification_code" }]
      : [];
  return accept(...verified.events, changed, ...unlock);
}

/**
 * Whether a SetPassword may go ahead on this verification. Exported so the application can
 * stop before spending a bcrypt hash on a request that will be refused.
 */
export function checkVerification(state: UserState, verification: Verification, now: number, lockout: LockoutPolicy): Decision {
  switch (verification.kind) {
    case "privileged":
      return accept();
    case "current_password":
      if (state.passwordHash === null) return reject(new DomainError("PASSWORD_NOT_SET", "the user has no password to verify against"));
      return checkPassword(
        state,
        verification.matches,
        lockout,
        now,
        (failed) => new DomainError("PASSWORD_INVALID", "the current password is wrong", [], failed),
      );
    case "verification_code": {
      const status = codeStatus(state.passwordCode, now);
      // A wrong code, no open code (none asked for, used, replaced) and an unknown user give one
      // answer, and write nothing: a recorded guess (a commit) would take longer than a refusal
      // for an unknown user, and guesses never void a code, so there is nothing to count.
      if (!verification.matches) return reject(codeRefused());
      // The code is the right one: its holder may learn that it has expired.
      if (status === "expired") return reject(new DomainError("CODE_EXPIRED", "the password reset code has expired. Request a new one"));
      return accept();
    }
  }
}

/**
 * A password check counts: failures towards the lockout, a success resets the count. A locked user
 * fails even with the right password; a password lockout that has run out ends (recorded) first.
 */
function checkPassword(
  state: UserState,
  matches: boolean,
  lockout: LockoutPolicy,
  now: number,
  wrong: (failedAttempts: number) => DomainError,
): Decision {
  if (isLocked(state, now, lockout)) return reject(userLocked());
  const expired: UserEvent[] = state.lock !== null ? [{ type: "user.unlocked", reason: "lockout_expired" }] : [];
  const failedSoFar = state.lock !== null ? 0 : state.failedPasswordAttempts;
  if (matches) {
    const reset = failedSoFar > 0 || state.passwordLockouts > 0;
    return accept(...expired, ...(reset ? [{ type: "user.human.password.check.succeeded" } as const] : []));
  }
  const failures = failedSoFar + 1;
  const lock: UserEvent[] = locksAfter(failures, lockout) ? [{ type: "user.locked", reason: "too_many_password_attempts" }] : [];
  return reject(wrong(failures), ...expired, { type: "user.human.password.check.failed" }, ...lock);
}

/** The one answer to a verification code that is not the open code of an existing user. */
export function codeRefused(): DomainError {
  return new DomainError("CODE_INVALID", "the verification code is wrong or no longer valid. Request a new one");
}

export function userNotFound(): DomainError {
  return new DomainError("USER_NOT_FOUND", "user not found");
}
