import { DomainError } from "./errors.js";
import { codeStatus, type PasswordCode } from "./password-code.js";

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
export type CodeMedium = "returned" | "email" | "sms";

export type UserEvent =
  | ({ type: "user.human.added"; passwordHash: string | null; passwordChangeRequired: boolean } & HumanIdentity)
  | { type: "user.human.password.changed"; passwordHash: string; changeRequired: boolean; method: PasswordChangeMethod }
  | { type: "user.human.password.hash.upgraded"; passwordHash: string }
  | { type: "user.human.password.code.added"; codeDigest: string; expiresAt: number; medium: CodeMedium }
  | { type: "user.human.password.code.check.failed" };

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
  passwordCode: PasswordCode | null;
}

export function evolve(state: UserState | null, recorded: RecordedEvent): UserState {
  const { event } = recorded;
  if (event.type === "user.human.added") {
    const { passwordHash, passwordChangeRequired } = event;
    return {
      ...identityOf(event),
      userId: recorded.aggregateId,
      orgId: recorded.owner,
      sequence: recorded.sequence,
      createdAt: recorded.createdAt,
      changedAt: recorded.createdAt,
      passwordHash,
      passwordChangeRequired,
      passwordChangedAt: passwordHash === null ? null : recorded.createdAt,
      passwordCode: null,
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
        passwordCode: null,
      };
    case "user.human.password.hash.upgraded":
      return { ...next, passwordHash: event.passwordHash };
    case "user.human.password.code.added":
      return { ...next, passwordCode: { digest: event.codeDigest, expiresAt: event.expiresAt, failedAttempts: 0 } };
    case "user.human.password.code.check.failed":
      return state.passwordCode === null
        ? next
        : { ...next, passwordCode: { ...state.passwordCode, failedAttempts: state.passwordCode.failedAttempts + 1 } };
  }
}

/** What the application established before deciding: the secret checks are done outside the domain. */
export type Verification =
  { kind: "current_password"; matches: boolean } | { kind: "verification_code"; matches: boolean } | { kind: "privileged" };

export type UserCommand =
  | ({ type: "AddHumanUser"; userId: string; orgId: string; password: { hash: string; changeRequired: boolean } | null } & HumanIdentity)
  | {
      type: "SetPassword";
      verification: Verification;
      newPasswordHash: string;
      changeRequired: boolean;
      /** Whether the new password verifies against the current hash. */
      sameAsCurrent: boolean;
      /** The verified current hash was made with an older scheme or cost. */
      currentHashOutdated: boolean;
    }
  | { type: "RequestPasswordCode"; codeDigest: string; expiresAt: number; medium: CodeMedium }
  | { type: "UpgradePasswordHash"; passwordHash: string };

/** Events to append, and the error to answer with after appending them (a failed code check is recorded). */
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
    case "SetPassword": {
      const verified = checkVerification(state, command.verification, now);
      if (verified.error) return verified;
      if (command.sameAsCurrent) {
        // The new hash is a fresh hash of the current password: still worth keeping if the old one is outdated.
        const upgrade: UserEvent[] = command.currentHashOutdated
          ? [{ type: "user.human.password.hash.upgraded", passwordHash: command.newPasswordHash }]
          : [];
        return reject(new DomainError("PASSWORD_UNCHANGED", "the new password must differ from the current password"), ...upgrade);
      }
      return accept({
        type: "user.human.password.changed",
        passwordHash: command.newPasswordHash,
        changeRequired: command.changeRequired,
        method: command.verification.kind,
      });
    }
    case "RequestPasswordCode":
      return accept({
        type: "user.human.password.code.added",
        codeDigest: command.codeDigest,
        expiresAt: command.expiresAt,
        medium: command.medium,
      });
    case "UpgradePasswordHash":
      return accept({ type: "user.human.password.hash.upgraded", passwordHash: command.passwordHash });
  }
}

/**
 * Whether a SetPassword may go ahead on this verification. Exported so the application can
 * stop before spending a bcrypt hash on a request that will be refused.
 */
export function checkVerification(state: UserState, verification: Verification, now: number): Decision {
  switch (verification.kind) {
    case "privileged":
      return accept();
    case "current_password":
      if (state.passwordHash === null) {
        return reject(new DomainError("PASSWORD_NOT_SET", "the user has no password to verify against"));
      }
      return verification.matches ? accept() : reject(new DomainError("PASSWORD_INVALID", "the current password is wrong"));
    case "verification_code":
      switch (codeStatus(state.passwordCode, now)) {
        case "missing":
          return reject(new DomainError("CODE_MISSING", "no password reset code is open for this user. Request a new one"));
        case "expired":
          return reject(new DomainError("CODE_EXPIRED", "the password reset code has expired. Request a new one"));
        case "void":
          return reject(new DomainError("CODE_VOID", "the password reset code is void after too many wrong attempts. Request a new one"));
        case "open":
          return verification.matches
            ? accept()
            : reject(new DomainError("CODE_INVALID", "the verification code is wrong"), { type: "user.human.password.code.check.failed" });
      }
  }
}

export function userNotFound(): DomainError {
  return new DomainError("USER_NOT_FOUND", "user not found");
}
