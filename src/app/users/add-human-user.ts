import { generateId } from "../../crypto/codes.js";
import { DomainError, invalidArgument } from "../../domain/errors.js";
import { normalizePassword, passwordPolicyViolated, passwordViolations } from "../../domain/password-policy.js";
import {
  Violations,
  checkEmail,
  checkId,
  checkOptionalText,
  checkPhone,
  checkRequiredText,
  checkUsername,
  loginNamesOf,
  type LoginNameKind,
} from "../../domain/user-input.js";
import { type Profile, type UserState } from "../../domain/user.js";
import { decide, type Decision } from "../../domain/user-commands.js";
import { LoginNameTakenError } from "../../store/users.js";
import type { Actor, AppContext } from "../shared/context.js";
import { passwordContext } from "../passwords/password-context.js";
import { writeUser } from "../shared/write-user.js";

export interface AddHumanUserInput {
  userId?: string;
  username?: string;
  organization?: { orgId: string } | { orgDomain: string };
  profile: Profile;
  email: string;
  emailVerified: boolean;
  phone?: { phone: string; verified: boolean };
  /** A password, or the hash another system made of it (bcrypt, or any family crypto/imported/ reads). */
  password?: { plaintext: string; changeRequired: boolean } | { importedHash: string; changeRequired: boolean };
  /** Added under an administrator's lock (bulk import of a user the source system had deactivated). */
  locked?: boolean;
}

/** A new user as checked, before its password is hashed and anything is written. */
export interface CheckedNewUser {
  input: AddHumanUserInput;
  userId: string;
  orgId: string;
  email: string;
  username: string;
  names: ReturnType<typeof loginNamesOf>;
}

type AddUserParts = Pick<AppContext, "clock" | "defaultOrgId" | "hasher" | "metrics" | "settings" | "store" | "userLocks">;

export async function addHumanUser(app: AddUserParts, input: AddHumanUserInput, actor: Actor): Promise<UserState> {
  return writeNewUser(app, await checkNewUser(app, input), actor);
}

/**
 * Everything that can refuse a new user before a hash is spent: its fields, its organization,
 * and whether its id or a login name is taken (the write checks those again under the lock).
 */
export async function checkNewUser(
  app: Pick<AppContext, "defaultOrgId" | "hasher" | "settings" | "store">,
  input: AddHumanUserInput,
): Promise<CheckedNewUser> {
  const user = await prepareNewUser(app, input);
  if ((await app.store.users.get(user.userId)) !== null) throw userIdTaken();
  for (const { key, kind } of user.names) if ((await app.store.users.ownerOf(key)) !== null) throw takenError(kind);
  return user;
}

/** The checks of a new user's own fields and organization, before anything is looked up about others. */
export async function prepareNewUser(
  app: Pick<AppContext, "defaultOrgId" | "hasher" | "settings" | "store">,
  input: AddHumanUserInput,
): Promise<CheckedNewUser> {
  validate(app, input);
  const userId = input.userId ?? generateId();
  const email = input.email.trim();
  const username = input.username ?? email;
  const orgId = await resolveOrg(app, input.organization);
  return { input, userId, orgId, email, username, names: loginNamesOf(username, email) };
}

export function userIdTaken(): DomainError {
  return new DomainError("USER_ID_TAKEN", "a user with this id already exists");
}

/** Hashes the password (when one is given in plain text) and adds the checked user. */
export async function writeNewUser(app: AddUserParts, user: CheckedNewUser, actor: Actor, password?: NewPassword): Promise<UserState> {
  const hashed = password === undefined ? await preparePassword(app, user.input.password) : password;
  try {
    return await writeUser(app, user.userId, actor, async (state) =>
      Object.assign(decideNewUser(user, hashed, state), { owner: user.orgId }),
    );
  } catch (error) {
    if (error instanceof LoginNameTakenError) throw takenError(error.kind);
    throw error;
  }
}

/** The password as stored: a hash made here, or the one imported. */
export type NewPassword = { hash: string; changeRequired: boolean } | null;

/** What adding the checked user appends, on the state found (null unless its id was taken meanwhile). */
export function decideNewUser(user: CheckedNewUser, password: NewPassword, state: UserState | null): Decision {
  const { input, userId, orgId, email, username } = user;
  return decide(
    {
      type: "AddHumanUser",
      userId,
      orgId,
      username,
      email,
      emailVerified: input.emailVerified,
      phone: input.phone?.phone ?? null,
      phoneVerified: input.phone?.verified ?? false,
      profile: input.profile,
      password,
      locked: input.locked ?? false,
    },
    state,
    0,
  );
}

function validate(app: Pick<AppContext, "hasher" | "settings">, input: AddHumanUserInput): void {
  const v = new Violations();
  if (input.userId !== undefined) checkId(v, "userId", input.userId);
  if (input.username !== undefined) checkUsername(v, "username", input.username);
  checkRequiredText(v, "givenName", input.profile.givenName);
  checkRequiredText(v, "familyName", input.profile.familyName);
  checkOptionalText(v, "nickName", input.profile.nickName);
  checkOptionalText(v, "displayName", input.profile.displayName);
  checkOptionalText(v, "preferredLanguage", input.profile.preferredLanguage, 35);
  checkEmail(v, "email", input.email.trim());
  if (input.phone !== undefined) checkPhone(v, "phone", input.phone.phone);
  const password = input.password;
  if (password && "plaintext" in password) {
    const personal = { username: input.username ?? input.email, email: input.email, profile: input.profile };
    v.list.push(
      ...passwordViolations(normalizePassword(password.plaintext), app.settings.passwordPolicy, "password", passwordContext(app, personal)),
    );
  } else if (password) {
    const refusal = app.hasher.importRefusal(password.importedHash);
    if (refusal !== null) v.add("passwordHash", refusal);
  }
  if (v.list.length === 0) return;
  const onlyPolicy = v.list.every((x) => x.field === "password");
  if (onlyPolicy) throw passwordPolicyViolated(v.list);
  throw invalidArgument(v.list);
}

async function resolveOrg(
  app: Pick<AppContext, "defaultOrgId" | "store">,
  organization: AddHumanUserInput["organization"],
): Promise<string> {
  if (organization === undefined) return app.defaultOrgId;
  const org =
    "orgId" in organization ? await app.store.orgs.byId(organization.orgId) : await app.store.orgs.byDomain(organization.orgDomain);
  if (org === null) throw new DomainError("ORG_NOT_FOUND", "organization not found");
  return org.orgId;
}

export async function preparePassword(app: Pick<AppContext, "hasher">, password: AddHumanUserInput["password"]): Promise<NewPassword> {
  if (password === undefined) return null;
  const hash = "plaintext" in password ? await app.hasher.hash(normalizePassword(password.plaintext)) : password.importedHash;
  return { hash, changeRequired: password.changeRequired };
}

export function takenError(kind: LoginNameKind): DomainError {
  return kind === "username"
    ? new DomainError("USERNAME_TAKEN", "the username is already taken")
    : new DomainError("EMAIL_TAKEN", "the e-mail address is already in use");
}
