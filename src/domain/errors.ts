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
  | "LOGIN_FAILED"
  | "SESSION_NOT_FOUND"
  | "RATE_LIMITED"
  | "UNAUTHENTICATED"
  | "PERMISSION_DENIED"
  | "CONCURRENT_MODIFICATION";

export interface FieldViolation {
  /** The request field at fault, as its proto path (for example `new_password.password`). */
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
export function describeViolations(violations: readonly FieldViolation[]): string {
  return violations.map((v) => `${v.field} ${v.description}`).join(". ");
}

/** One error for every field violation found, so a caller can fix all at once. */
export function invalidArgument(violations: readonly FieldViolation[]): DomainError {
  return new DomainError("INVALID_ARGUMENT", `invalid request. ${describeViolations(violations)}`, violations);
}
