/** Why a command was refused. Each reason maps to exactly one status code (api/errors.ts). */
export type ErrorReason =
  | "INVALID_ARGUMENT"
  | "PASSWORD_POLICY_VIOLATED"
  | "PASSWORD_UNCHANGED"
  | "PASSWORD_INVALID"
  | "PASSWORD_NOT_SET"
  | "CODE_INVALID"
  | "CODE_EXPIRED"
  | "USER_NOT_FOUND"
  | "ORG_NOT_FOUND"
  | "USER_ID_TAKEN"
  | "USERNAME_TAKEN"
  | "EMAIL_TAKEN"
  | "PHONE_MISSING"
  | "USER_LOCKED"
  | "USER_NOT_LOCKED"
  | "USER_DEACTIVATED"
  | "USER_NOT_DEACTIVATED"
  | "EMAIL_NOT_VERIFIED"
  | "LOGIN_FAILED"
  | "SESSION_NOT_FOUND"
  | "RATE_LIMITED"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "CONCURRENT_MODIFICATION";

/**
 * The input fields the rules check, by their domain names; api/field-paths.ts says where each
 * sits in each RPC's request, so the answer names the proto path.
 */
export type InputField =
  | "userId"
  | "username"
  | "givenName"
  | "familyName"
  | "nickName"
  | "displayName"
  | "preferredLanguage"
  | "email"
  | "phone"
  | "password"
  | "passwordHash"
  | "loginName"
  | "urlTemplate";

export interface FieldViolation {
  /** The field at fault: an InputField from the rules, or a proto path from api/. */
  field: string;
  description: string;
}

export class DomainError extends Error {
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
    /** For a failed password check: consecutive failures so far, so a login page can warn. */
    readonly failedAttempts?: number,
    /** The message without the violations it lists, when it lists them. */
    readonly summary?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/**
 * Messages travel in gRPC's percent-encoded grpc-message header, which common clients decode
 * with decodeURI: characters such as ; , : / ? @ & = + $ # would reach them still encoded.
 * So messages are sentences with none of those.
 */
function describeViolations(violations: readonly FieldViolation[]): string {
  return violations.map((v) => `${v.field} ${v.description}`).join(". ");
}

/** An error whose message lists its violations. */
export function listingViolations(reason: ErrorReason, summary: string, violations: readonly FieldViolation[]): DomainError {
  return new DomainError(reason, `${summary}. ${describeViolations(violations)}`, violations, undefined, summary);
}

/** One error for every field violation found, so a caller can fix all at once. */
export function invalidArgument(violations: readonly FieldViolation[]): DomainError {
  return listingViolations("INVALID_ARGUMENT", "invalid request", violations);
}

/** The same error, its violations naming their fields as `rename` says (its message too, where it lists them). */
export function withFieldsRenamed(error: DomainError, rename: (field: string) => string): DomainError {
  if (error.violations.length === 0) return error;
  const violations = error.violations.map((v) => ({ ...v, field: rename(v.field) }));
  const message = error.summary === undefined ? error.message : `${error.summary}. ${describeViolations(violations)}`;
  return new DomainError(error.reason, message, violations, error.failedAttempts, error.summary);
}
