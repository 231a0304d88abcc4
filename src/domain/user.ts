import { DomainError } from "./errors.js";
import { isLocked, locksAfter, loginFailed, userLocked, type Lock, type LockoutPolicy } from "./lockout.js";
import { codeStatus, type CodeMedium, type PasswordCode } from "./password-code.js";

export type Gender = "unspecified" | "female" | "male" | "diverse";

export interface Profile {
  givenName: string;
  familyName: string;
  nickName?: string;
  displayName?: string;
  preferredLanguage?: string;
  gender: Gender;
}

/** Who the user is, as given when the user was added. */
export interface HumanIdentity {
  username: string;
  email: string;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  profile: Profile;
}

function identityOf(x: HumanIdentity): HumanIdentity {
  return {
    username: x.username,
    email: x.email,
    emailVerified: x.emailVerified,
    phone: x.phone,
    phoneVerified: x.phoneVerified,
    profile: x.profile,
  };
}

/** How a password change was authorised; kept on the event for the audit trail. */
export type PasswordChangeMethod = "current_password" | "verification_code" | "privileged";

/** Where a reset code goes: returned to a privileged caller, or sent to the user. */

/** Previous password hashes kept for the reuse rule; configuration may ask for fewer. */
export const MAX_PASSWORD_HISTORY = 24;

export type UserEvent =
  | ({ type: "user.human.added"; passwordHash: string | null; passwordChangeRequired: boolean } & HumanIdentity)
  | {
      type: "user.human.password.changed";
      passwordHash: string;
      changeRequired: boolean;
      method: PasswordChangeMethod;
      /** The session the change was made in, which survives it; every other session ends. */
      keptSessionId?: string | null;
    }
  | { type: "user.human.password.hash.upgraded"; passwordHash: string }
  | {
      type: "user.human.password.code.added";
      codeDigest: string;
      expiresAt: number;
      medium: CodeMedium;
      /** For a link: what its code is computed from (with the server secret), so it can be sent again. */
      linkId?: string;
    }
  /** The open code was sent again (the public form asked while it was open). */
  | { type: "user.human.password.code.resent" }
  /** No longer written (wrong codes write nothing); kept so that earlier logs replay. */
  | { type: "user.human.password.code.check.failed" }
  | { type: "user.human.password.check.failed" }
  | { type: "user.human.password.check.succeeded" }
  | { type: "user.locked"; reason: Lock["reason"] }
  | { type: "user.unlocked"; reason?: "administrator" | "lockout_expired" | "verification_code" };

/** An event as stored: the store assigns nothing the domain has not decided. */
export interface RecordedEvent<E = UserEvent> {
  event: E;
  aggregateId: string;
  owner: string;
  sequence: number;
  createdAt: number;
}

export interface UserState extends HumanIdentity {
  userId: string;
  orgId: string;
  sequence: number;
  createdAt: number;
  changedAt: number;
  passwordHash: string | null;
  passwordChangeRequired: boolean;
  passwordChangedAt: number | null;
  /** Counts password changes: a session is valid only for the version it was created with. */
  passwordVersion: number;
  keptSessionId: string | null;
  /** Earlier password hashes, newest first. */
  passwordHistory: string[];
  passwordCode: PasswordCode | null;
  /** The lock in force, or the last password lockout (which may have run out), or null. */
  lock: Lock | null;
  /** Password lockouts since the last successful password check: each lasts longer. */
  passwordLockouts: number;
  failedPasswordAttempts: number;
}

export function evolve(state: UserState | null, recorded: RecordedEvent): UserState {
  const { event } = recorded;
  if (event.type === "user.human.added") {
    return {
      ...identityOf(event),
      userId: recorded.aggregateId,
      orgId: recorded.owner,
      sequence: recorded.sequence,
      createdAt: recorded.createdAt,
      changedAt: recorded.createdAt,
      passwordHash: event.passwordHash,
      passwordChangeRequired: event.passwordChangeRequired,
      passwordChangedAt: event.passwordHash === null ? null : recorded.createdAt,
      passwordVersion: 0,
      keptSessionId: null,
      passwordHistory: [],
      passwordCode: null,
      lock: null,
      passwordLockouts: 0,
      failedPasswordAttempts: 0,
    };
  }
  if (state === null) throw new Error(`event ${event.type} before user.human.added for ${recorded.aggregateId}`);
  const next: UserState = { ...state, sequence: recorded.sequence, changedAt: recorded.createdAt };
  switch (event.type) {
    case "user.human.password.changed":
      return {
        ...next,
        passwordHash: event.passwordHash,
        passwordChangeRequired: event.changeRequired,
        passwordChangedAt: recorded.createdAt,
        passwordVersion: state.passwordVersion + 1,
        keptSessionId: event.keptSessionId ?? null,
        passwordHistory:
          state.passwordHash === null
            ? state.passwordHistory
            : [state.passwordHash, ...state.passwordHistory].slice(0, MAX_PASSWORD_HISTORY),
        passwordCode: null,
        failedPasswordAttempts: 0,
      };
    case "user.human.password.hash.upgraded":
      return { ...next, passwordHash: event.passwordHash };
    case "user.human.password.code.added":
      return {
        ...next,
        passwordCode: {
          digest: event.codeDigest,
          createdAt: recorded.createdAt,
          expiresAt: event.expiresAt,
          failedAttempts: 0,
          linkId: event.linkId ?? null,
          sentAt: recorded.createdAt,
          medium: event.medium,
        },
      };
    case "user.human.password.code.resent":
      return state.passwordCode === null ? next : { ...next, passwordCode: { ...state.passwordCode, sentAt: recorded.createdAt } };
    case "user.human.password.code.check.failed":
      return state.passwordCode === null
        ? next
        : { ...next, passwordCode: { ...state.passwordCode, failedAttempts: state.passwordCode.failedAttempts + 1 } };
    case "user.human.password.check.failed":
      return { ...next, failedPasswordAttempts: state.failedPasswordAttempts + 1 };
    case "user.human.password.check.succeeded":
      return { ...next, failedPasswordAttempts: 0, passwordLockouts: 0 };
    case "user.locked":
      return {
        ...next,
        lock: { reason: event.reason, at: recorded.createdAt },
        passwordLockouts: state.passwordLockouts + (event.reason === "too_many_password_attempts" ? 1 : 0),
      };
    case "user.unlocked":
      return { ...next, lock: null, failedPasswordAttempts: 0 };
  }
}

/** What the application established before deciding: the secret checks are done outside the domain. */
export type Verification =
  | { kind: "current_password"; matches: boolean; sessionId?: string }
  | { kind: "verification_code"; matches: boolean }
  | { kind: "privileged" };

export type UserCommand =
  | ({ type: "AddHumanUser"; userId: string; orgId: string; password: { hash: string; changeRequired: boolean } | null } & HumanIdentity)
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
  | { type: "UnlockUser"; lockout: LockoutPolicy };

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
    return accept({
      type: "user.human.added",
      ...identityOf(command),
      passwordHash: command.password?.hash ?? null,
      passwordChangeRequired: command.password?.changeRequired ?? false,
    });
  }
  if (state === null) return reject(userNotFound());
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
  }
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
        { field: "new_password.password", description: "must not be one of the recently used passwords" },
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
