import { listingViolations, type DomainError, type FieldViolation, type InputField } from "./errors.js";
import { tooSimilar } from "./similarity.js";

export interface PasswordPolicy {
  minLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumber: boolean;
  requireSymbol: boolean;
  /** Beyond ZITADEL: refuse passwords on the common-password list (case-insensitive). */
  rejectCommon: boolean;
  /** Refuse passwords made of digits only. */
  rejectNumeric: boolean;
  /**
   * Refuse passwords that contain or are contained in the username, e-mail address or names, or
   * that are too similar to any of them or their parts (Django's similarity rule, at 0.7).
   */
  rejectPersonal: boolean;
  /** Refuse the last N passwords (counting the current one); 0 allows reuse. */
  historySize: number;
}

/** ZITADEL's default complexity policy, with our extra rules on. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumber: true,
  requireSymbol: true,
  rejectCommon: true,
  rejectNumeric: true,
  rejectPersonal: true,
  historySize: 0,
};

/**
 * Starting points an operator picks with LATCHKEY_PASSWORD_PROFILE; each setting still overrides.
 * `nist`: NIST SP 800-63B rev. 4, long passwords and no composition rules, with the checks against
 * common passwords and the user's own data on (any character, up to MAX_PASSWORD_LENGTH).
 */
export const PASSWORD_PROFILES = {
  zitadel: DEFAULT_PASSWORD_POLICY,
  nist: {
    minLength: 15,
    requireUppercase: false,
    requireLowercase: false,
    requireNumber: false,
    requireSymbol: false,
    rejectCommon: true,
    rejectNumeric: false,
    rejectPersonal: true,
    historySize: 0,
  },
} as const satisfies Record<string, PasswordPolicy>;

/** Earlier password hashes the reuse rule compares with: the last N counts the current one. */
export function passwordHistoryKept(policy: PasswordPolicy): number {
  return Math.max(0, policy.historySize - 1);
}

/** As ZITADEL's contract: at most 200 characters (Unicode code points). */
export const MAX_PASSWORD_LENGTH = 200;
const MIN_PERSONAL_TOKEN = 3;

/** What the rules beyond composition look at. */
export interface PasswordContext {
  commonPasswords: ReadonlySet<string>;
  /** Username, e-mail address and names of the user the password is for, each with what a message calls it. */
  personal: ReadonlyArray<{ label: string; value: string }>;
  /** Whether a breached-password list (LATCHKEY_PASSWORD_BLOCKLIST_FILE) holds the password; unset without one. */
  breached?: (password: string) => boolean;
}

/** The same password typed on different keyboards (composed or decomposed, full-width) is one password. */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

function personalTokens(personal: PasswordContext["personal"]): string[] {
  const tokens = personal.flatMap(({ value }) => {
    const lower = value.normalize("NFKC").toLowerCase();
    const local = lower.includes("@") ? [lower.slice(0, lower.indexOf("@"))] : [];
    return [lower, ...local];
  });
  return tokens.filter((t) => [...t].length >= MIN_PERSONAL_TOKEN);
}

// Characters that show nothing: format characters (zero-width, direction marks) and other
// invisible code points. They neither count towards the length nor satisfy a rule.
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cn}\p{Cs}]/gu;
// A symbol is a visible character that is not a letter, a number or a combining mark.
const SYMBOL = /[^\p{L}\p{N}\p{M}\p{C}]/u;
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** How many characters a person sees: grapheme clusters, without invisible code points. */
function visibleLength(password: string): number {
  let count = 0;
  for (const _ of graphemes.segment(password.replace(INVISIBLE, ""))) count++;
  return count;
}

export type CompositionRule = "minLength" | "uppercase" | "lowercase" | "number" | "symbol";
type Composition = Pick<PasswordPolicy, "minLength" | "requireUppercase" | "requireLowercase" | "requireNumber" | "requireSymbol">;

/**
 * The composition rules a policy sets, each with whether a password meets it: what the server
 * checks and what the hosted pages' checklist shows are one code. Lengths count what a person
 * sees (visibleLength); invisible characters satisfy no rule.
 */
export function compositionRules(
  policy: Composition,
): Array<{ rule: CompositionRule; description: string; met: (password: string) => boolean }> {
  const visible = (password: string) => password.replace(INVISIBLE, "");
  const rules = [
    {
      rule: "minLength",
      on: policy.minLength > 0,
      description: `must be at least ${policy.minLength} characters long`,
      met: (p: string) => visibleLength(p) >= policy.minLength,
    },
    {
      rule: "uppercase",
      on: policy.requireUppercase,
      description: "must contain an upper case letter",
      met: (p: string) => /\p{Lu}/u.test(visible(p)),
    },
    {
      rule: "lowercase",
      on: policy.requireLowercase,
      description: "must contain a lower case letter",
      met: (p: string) => /\p{Ll}/u.test(visible(p)),
    },
    { rule: "number", on: policy.requireNumber, description: "must contain a number", met: (p: string) => /\p{N}/u.test(visible(p)) },
    {
      rule: "symbol",
      on: policy.requireSymbol,
      description: "must contain a symbol or punctuation character",
      met: (p: string) => SYMBOL.test(visible(p)),
    },
  ] as const;
  return rules.filter((r) => r.on).map(({ rule, description, met }) => ({ rule, description, met }));
}

/** Every rule the password breaks, each with a description a person can act on. */
export function passwordViolations(
  password: string,
  policy: PasswordPolicy,
  field: InputField,
  context?: PasswordContext,
): FieldViolation[] {
  const codePoints = [...password].length;
  if (codePoints === 0) return [{ field, description: "a password is required" }];
  const lower = password.toLowerCase();
  const rules: Array<[broken: boolean, description: string]> = [
    [codePoints > MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters long`],
    [/\p{Cc}/u.test(password), "must not contain control characters"],
    ...compositionRules(policy).map(({ met, description }): [boolean, string] => [!met(password), description]),
    [policy.rejectNumeric && /^\p{N}+$/u.test(password), "must not consist of numbers only"],
    [policy.rejectCommon && context !== undefined && context.commonPasswords.has(lower), "must not be a commonly used password"],
    [context?.breached?.(password) === true, "appears in a list of passwords exposed in data breaches: choose another"],
    [
      policy.rejectPersonal &&
        context !== undefined &&
        personalTokens(context.personal).some((t) => lower.includes(t) || t.includes(lower)),
      "must not contain the username or e-mail address or names",
    ],
    ...(policy.rejectPersonal && context !== undefined
      ? context.personal.map(({ label, value }): [boolean, string] => [
          value !== "" && tooSimilar(password, value),
          `must not be too similar to the ${label}`,
        ])
      : []),
  ];
  const broken = rules.filter(([isBroken]) => isBroken).map(([, description]) => description);
  return [...new Set(broken)].map((description) => ({ field, description }));
}

export function passwordPolicyViolated(violations: readonly FieldViolation[]): DomainError {
  return listingViolations("PASSWORD_POLICY_VIOLATED", "the password does not meet the password policy", violations);
}

export function assertPasswordAllowed(password: string, policy: PasswordPolicy, field: InputField, context?: PasswordContext): void {
  const violations = passwordViolations(password, policy, field, context);
  if (violations.length > 0) throw passwordPolicyViolated(violations);
}
