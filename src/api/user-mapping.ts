import { create } from "@bufbuild/protobuf";
import type { AddHumanUserInput } from "../app/users/add-human-user.js";
import type { ResetMedium } from "../app/password-reset/password-reset.js";
import type { SetPasswordProof } from "../app/passwords/set-password.js";
import { type Gender as DomainGender, type UserState } from "../domain/user.js";
import { codeRefused } from "../domain/user-commands.js";
import { invalidArgument } from "../domain/errors.js";
import { checkId, Violations } from "../domain/user-input.js";
import { NotificationType } from "../../gen/zitadel/user/v2/password_pb.js";
import { Gender, UserSchema, UserState as ProtoUserState, type User } from "../../gen/zitadel/user/v2/user_pb.js";
import type { AddHumanUserRequest, PasswordResetRequest, SetPasswordRequest } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { timestamp, toDetails } from "./details.js";

const GENDERS: Record<Gender, DomainGender> = {
  [Gender.UNSPECIFIED]: "unspecified",
  [Gender.FEMALE]: "female",
  [Gender.MALE]: "male",
  [Gender.DIVERSE]: "diverse",
};
const PROTO_GENDERS = Object.fromEntries(Object.entries(GENDERS).map(([k, v]) => [v, Number(k)])) as Record<DomainGender, Gender>;

export function addHumanUserInput(req: AddHumanUserRequest): AddHumanUserInput {
  const profile = req.profile;
  const gender = GENDERS[profile?.gender ?? Gender.UNSPECIFIED];
  if (gender === undefined) throw invalidArgument([{ field: "profile.gender", description: "is not a known gender" }]);
  const org = req.organization?.org;
  const password = req.passwordType;
  return {
    userId: req.userId,
    username: req.username,
    organization: org?.case === "orgId" ? { orgId: org.value } : org?.case === "orgDomain" ? { orgDomain: org.value } : undefined,
    profile: {
      givenName: profile?.givenName ?? "",
      familyName: profile?.familyName ?? "",
      ...(profile?.nickName !== undefined && { nickName: profile.nickName }),
      ...(profile?.displayName !== undefined && { displayName: profile.displayName }),
      ...(profile?.preferredLanguage !== undefined && { preferredLanguage: profile.preferredLanguage }),
      gender,
    },
    email: req.email?.email ?? "",
    emailVerified: req.email?.verification.case === "isVerified" && req.email.verification.value,
    phone:
      req.phone && req.phone.phone !== ""
        ? { phone: req.phone.phone, verified: req.phone.verification.case === "isVerified" && req.phone.verification.value }
        : undefined,
    password:
      password.case === "password"
        ? { plaintext: password.value.password, changeRequired: password.value.changeRequired }
        : password.case === "hashedPassword"
          ? { importedHash: password.value.hash, changeRequired: password.value.changeRequired }
          : undefined,
  };
}

/** The user as ZITADEL shows one; `locked` is whether a lock is in force now (a deactivated user shows as inactive). */
export function toUser(state: UserState, locked: boolean): User {
  const loginNames = [state.username];
  const userState = state.deactivated ? ProtoUserState.INACTIVE : locked ? ProtoUserState.LOCKED : ProtoUserState.ACTIVE;
  return create(UserSchema, {
    userId: state.userId,
    details: toDetails(state),
    state: userState,
    username: state.username,
    loginNames,
    preferredLoginName: state.username,
    type: {
      case: "human",
      value: {
        userId: state.userId,
        state: userState,
        username: state.username,
        loginNames,
        preferredLoginName: state.username,
        profile: { avatarUrl: "", ...state.profile, gender: PROTO_GENDERS[state.profile.gender] },
        email: { email: state.email, isVerified: state.emailVerified },
        phone: state.phone === null ? undefined : { phone: state.phone, isVerified: state.phoneVerified },
        passwordChangeRequired: state.passwordChangeRequired,
        passwordChanged: state.passwordChangedAt === null ? undefined : timestamp(state.passwordChangedAt),
      },
    },
  });
}

/** Longer than any code we issue: refused as a wrong code, without digesting megabytes. */
export const LONGEST_CODE = 64;

/** Checked before anything is looked up, counted or locked by it. */
export function requireUserId(userId: string): string {
  if (userId === "") throw invalidArgument([{ field: "user_id", description: "is required" }]);
  new Violations().tap((v) => checkId(v, "user_id", userId)).throwIfAny();
  return userId;
}

export function setPasswordProof(req: SetPasswordRequest): SetPasswordProof {
  const v = req.verification;
  if (v.case === "currentPassword") {
    if (v.value === "") throw invalidArgument([{ field: "current_password", description: "must not be empty" }]);
    return { kind: "current_password", password: v.value };
  }
  if (v.case === "verificationCode") {
    if (v.value === "") throw invalidArgument([{ field: "verification_code", description: "must not be empty" }]);
    if (v.value.length > LONGEST_CODE) throw codeRefused();
    return { kind: "verification_code", code: v.value };
  }
  return { kind: "privileged" };
}

export function resetMedium(req: PasswordResetRequest): ResetMedium {
  const m = req.medium;
  if (m.case === "returnCode") return { kind: "return_code" };
  if (m.case === "sendLink") {
    const channel = m.value.notificationType === NotificationType.SMS ? "sms" : "email";
    return { kind: "send_link", channel, ...(m.value.urlTemplate !== undefined && { urlTemplate: m.value.urlTemplate }) };
  }
  return { kind: "send_link", channel: "email" };
}
