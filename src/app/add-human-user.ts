import { generateId } from "../crypto/codes.js";
import { isImportableBcryptHash } from "../crypto/password-hasher.js";
import { DomainError, invalidArgument } from "../domain/errors.js";
import { normalizePassword, passwordPolicyViolated, passwordViolations } from "../domain/password-policy.js";
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
} from "../domain/user-input.js";
import { decide, type Profile, type UserState } from "../domain/user.js";
import { LoginNameTakenError } from "../store/users.js";
import type { Actor, AppContext } from "./context.js";
import { passwordContext } from "./password-context.js";
import { writeUser } from "./write-user.js";

export interface AddHumanUserInput {
  userId?: string;
  username?: string;
  organization?: { orgId: string } | { orgDomain: string };
  profile: Profile;
  email: string;
  emailVerified: boolean;
  phone?: { phone: string; verified: boolean };
  password?: { plaintext: string; changeRequired: boolean } | { bcryptHash: string; changeRequired: boolean };
}

export async function addHumanUser(ctx: AppContext, input: AddHumanUserInput, actor: Actor): Promise<UserState> {
  validate(ctx, input);
  const userId = input.userId ?? generateId();
  const email = input.email.trim();
  const username = input.username ?? email;
  const orgId = await resolveOrg(ctx, input.organization);
  const names = loginNamesOf(username, email);

  // Answer "taken" before spending a bcrypt hash; the transaction re-checks under the lock.
  if ((await ctx.store.users.get(userId)) !== null) throw new DomainError("USER_ID_TAKEN", "a user with this id already exists");
  for (const { key, kind } of names) if ((await ctx.store.users.ownerOf(key)) !== null) throw taken(kind);

  const password = await preparePassword(ctx, input.password);
  try {
    return await writeUser(ctx, userId, actor, async (state) => ({
      ...decide(
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
        },
        state,
        0,
      ),
      owner: orgId,
    }));
  } catch (error) {
    if (error instanceof LoginNameTakenError) throw taken(error.kind);
    throw error;
  }
}

function validate(ctx: AppContext, input: AddHumanUserInput): void {
  const v = new Violations();
  if (input.userId !== undefined) checkId(v, "user_id", input.userId);
  if (input.username !== undefined) checkUsername(v, "username", input.username);
  checkRequiredText(v, "profile.given_name", input.profile.givenName);
  checkRequiredText(v, "profile.family_name", input.profile.familyName);
  checkOptionalText(v, "profile.nick_name", input.profile.nickName);
  checkOptionalText(v, "profile.display_name", input.profile.displayName);
  checkOptionalText(v, "profile.preferred_language", input.profile.preferredLanguage, 35);
  checkEmail(v, "email.email", input.email.trim());
  if (input.phone !== undefined) checkPhone(v, "phone.phone", input.phone.phone);
  const password = input.password;
  if (password && "plaintext" in password) {
    const personal = { username: input.username ?? input.email, email: input.email, profile: input.profile };
    v.list.push(
      ...passwordViolations(
        normalizePassword(password.plaintext),
        ctx.settings.passwordPolicy,
        "password.password",
        passwordContext(ctx, personal),
      ),
    );
  } else if (password && !isImportableBcryptHash(password.bcryptHash, ctx.hasher.maxCost)) {
    v.add("hashed_password.hash", `must be a bcrypt hash in modular crypt format (2a or 2b or 2y with cost 4 to ${ctx.hasher.maxCost})`);
  }
  if (v.list.length === 0) return;
  const onlyPolicy = v.list.every((x) => x.field === "password.password");
  if (onlyPolicy) throw passwordPolicyViolated(v.list);
  throw invalidArgument(v.list);
}

async function resolveOrg(ctx: AppContext, organization: AddHumanUserInput["organization"]): Promise<string> {
  if (organization === undefined) return ctx.defaultOrgId;
  const org =
    "orgId" in organization ? await ctx.store.orgs.byId(organization.orgId) : await ctx.store.orgs.byDomain(organization.orgDomain);
  if (org === null) throw new DomainError("ORG_NOT_FOUND", "organization not found");
  return org.orgId;
}

async function preparePassword(
  ctx: AppContext,
  password: AddHumanUserInput["password"],
): Promise<{ hash: string; changeRequired: boolean } | null> {
  if (password === undefined) return null;
  const hash = "plaintext" in password ? await ctx.hasher.hash(normalizePassword(password.plaintext)) : password.bcryptHash;
  return { hash, changeRequired: password.changeRequired };
}

function taken(kind: LoginNameKind): DomainError {
  return kind === "username"
    ? new DomainError("USERNAME_TAKEN", "the username is already taken")
    : new DomainError("EMAIL_TAKEN", "the e-mail address is already in use");
}
