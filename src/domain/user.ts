import type { Lock } from "./lockout.js";
import type { CodeMedium, PasswordCode } from "./password-code.js";

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

export function identityOf(x: HumanIdentity): HumanIdentity {
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
  | { type: "user.unlocked"; reason?: "administrator" | "lockout_expired" | "verification_code" }
  /** DeactivateUser: no login, no session, no code until ReactivateUser. */
  | { type: "user.deactivated" }
  | { type: "user.reactivated" };

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
  /**
   * Counts password changes and deactivations: a session is valid only for the version it was
   * created with (or as the session kept through a change).
   */
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
  /** Deactivated by an administrator (ZITADEL's USER_STATE_INACTIVE), until reactivated. */
  deactivated: boolean;
}

export function evolve(state: UserState | null, recorded: RecordedEvent): UserState {
  const { event } = recorded;
  if (event.type === "user.human.added") return added(event, recorded);
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
    case "user.deactivated":
      // Every session ends, for good: reactivating the user does not bring them back.
      return { ...next, deactivated: true, passwordVersion: state.passwordVersion + 1, keptSessionId: null, passwordCode: null };
    case "user.reactivated":
      return { ...next, deactivated: false };
  }
}

// New states are written out field by field: on Node 20, a literal that starts with a spread and
// then adds keys the spread object lacks takes microseconds per key (V8 leaves its fast path).
function added(event: Extract<UserEvent, { type: "user.human.added" }>, recorded: RecordedEvent): UserState {
  return {
    username: event.username,
    email: event.email,
    emailVerified: event.emailVerified,
    phone: event.phone,
    phoneVerified: event.phoneVerified,
    profile: event.profile,
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
    deactivated: false,
  };
}
