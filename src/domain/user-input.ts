import { invalidArgument, type FieldViolation } from "./errors.js";

const MAX_NAME_LENGTH = 200;
// A single addr-spec (RFC 5322 dot-atom, with RFC 6531's Unicode letters) and nothing else: no
// display name, list, comment, quoted string or line break that a mail library could read as
// another recipient. Domain: dotted labels of letters, digits and inner hyphens.
const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = "[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?";
const EMAIL_PATTERN = new RegExp(`^${ATOM}(?:\\.${ATOM})*@${LABEL}(?:\\.${LABEL})+$`, "u");
const PHONE_PATTERN = /^\+?[0-9 ()-]{4,30}$/;
// Ids travel in URLs and logs: keep them to a safe, unambiguous alphabet.
const ID_PATTERN = /^[A-Za-z0-9_.-]{1,200}$/;
const CONTROL_OR_SPACE = /[\s\p{Cc}]/u;

/** Collects field violations so one answer can list all of them. */
export class Violations {
  readonly list: FieldViolation[] = [];

  add(field: string, description: string): this {
    this.list.push({ field, description });
    return this;
  }

  tap(check: (v: this) => void): this {
    check(this);
    return this;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw invalidArgument(this.list);
  }
}

export function checkRequiredText(v: Violations, field: string, value: string | undefined, max = MAX_NAME_LENGTH): void {
  const length = [...(value ?? "").trim()].length;
  if (length === 0) v.add(field, "is required");
  else if (length > max) v.add(field, `must be at most ${max} characters long`);
}

export function checkOptionalText(v: Violations, field: string, value: string | undefined, max = MAX_NAME_LENGTH): void {
  if (value !== undefined && [...value].length > max) v.add(field, `must be at most ${max} characters long`);
}

export function checkEmail(v: Violations, field: string, email: string): void {
  if (email.length === 0) v.add(field, "is required");
  else if (email.length > MAX_NAME_LENGTH || !EMAIL_PATTERN.test(email)) v.add(field, "must be a valid e-mail address");
}

export function checkPhone(v: Violations, field: string, phone: string): void {
  if (!PHONE_PATTERN.test(phone)) v.add(field, "must be a phone number of 4 to 30 digits and spaces with an optional leading plus sign");
}

export function checkId(v: Violations, field: string, id: string): void {
  if (!ID_PATTERN.test(id)) v.add(field, "must be 1 to 200 characters from A-Z a-z 0-9 and _ . -");
}

/** As ZITADEL: a login name (username or e-mail) is at most 200 characters. */
const MAX_LOGIN_NAME_LENGTH = MAX_NAME_LENGTH;

/** A login name as typed at a login or forgot-password form: checked before anything is looked up or counted. */
export function checkLoginName(v: Violations, field: string, name: string): void {
  if (name.trim().length === 0) v.add(field, "is required");
  else if (name.length > MAX_LOGIN_NAME_LENGTH * 2 || [...name].length > MAX_LOGIN_NAME_LENGTH)
    v.add(field, `must be at most ${MAX_LOGIN_NAME_LENGTH} characters long`);
  else if (/\p{Cc}/u.test(name)) v.add(field, "must not contain control characters");
}

export function checkUsername(v: Violations, field: string, username: string): void {
  if (username.length === 0) v.add(field, "must not be empty");
  else if ([...username].length > MAX_NAME_LENGTH) v.add(field, `must be at most ${MAX_NAME_LENGTH} characters long`);
  else if (CONTROL_OR_SPACE.test(username)) v.add(field, "must not contain spaces or control characters");
}

/** Login names compare case-insensitively everywhere. */
export function loginNameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

export type LoginNameKind = "username" | "email";

/** The names a user can log in with; usernames and e-mail addresses share one namespace. */
export function loginNamesOf(username: string, email: string): Array<{ key: string; kind: LoginNameKind }> {
  return [
    { key: loginNameKey(username), kind: "username" },
    { key: loginNameKey(email), kind: "email" },
  ];
}
