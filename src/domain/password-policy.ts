import { DomainError, describeViolations, type FieldViolation } from "./errors.js";

export interface PasswordPolicy {
  minLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumber: boolean;
  requireSymbol: boolean;
}

/** ZITADEL's default complexity policy. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumber: true,
  requireSymbol: true,
};

/** As ZITADEL's contract: at most 200 characters (Unicode code points). */
export const MAX_PASSWORD_LENGTH = 200;

/** Every rule the password breaks, each with a description a person can act on. */
export function passwordViolations(password: string, policy: PasswordPolicy, field: string): FieldViolation[] {
  const length = [...password].length;
  if (length === 0) return [{ field, description: "a password is required" }];
  const rules: Array<[broken: boolean, description: string]> = [
    [length > MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters long`],
    [length < policy.minLength, `must be at least ${policy.minLength} characters long`],
    [policy.requireUppercase && !/\p{Lu}/u.test(password), "must contain an upper case letter"],
    [policy.requireLowercase && !/\p{Ll}/u.test(password), "must contain a lower case letter"],
    [policy.requireNumber && !/\p{N}/u.test(password), "must contain a number"],
    [policy.requireSymbol && !/[^\p{L}\p{N}]/u.test(password), "must contain a symbol or punctuation character"],
  ];
  return rules.filter(([broken]) => broken).map(([, description]) => ({ field, description }));
}

export function passwordPolicyViolated(violations: readonly FieldViolation[]): DomainError {
  return new DomainError(
    "PASSWORD_POLICY_VIOLATED",
    `the password does not meet the password policy. ${describeViolations(violations)}`,
    violations,
  );
}

export function assertPasswordAllowed(password: string, policy: PasswordPolicy, field: string): void {
  const violations = passwordViolations(password, policy, field);
  if (violations.length > 0) {
    throw passwordPolicyViolated(violations);
  }
}
