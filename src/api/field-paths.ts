import type { DescMethod } from "@bufbuild/protobuf";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { withFieldsRenamed, type DomainError, type InputField } from "../domain/errors.js";

type Paths = Partial<Record<InputField, string>>;

/** Where each input field the rules name sits in each method's request. */
const FIELD_PATHS = new Map<DescMethod, Paths>([
  [
    UserService.method.addHumanUser,
    {
      userId: "user_id",
      username: "username",
      givenName: "profile.given_name",
      familyName: "profile.family_name",
      nickName: "profile.nick_name",
      displayName: "profile.display_name",
      preferredLanguage: "profile.preferred_language",
      email: "email.email",
      phone: "phone.phone",
      password: "password.password",
      passwordHash: "hashed_password.hash",
    },
  ],
  [UserService.method.setPassword, { password: "new_password.password" }],
  [UserService.method.passwordReset, { urlTemplate: "send_link.url_template" }],
  [PasswordService.method.requestPasswordReset, { loginName: "login_name", urlTemplate: "url_template" }],
]);

/** The error as the method's caller should read it: each field by its path in the request. */
export function withProtoPaths(error: DomainError, method: DescMethod): DomainError {
  const paths = FIELD_PATHS.get(method);
  if (paths === undefined) return error;
  return withFieldsRenamed(error, (field) => paths[field as InputField] ?? field);
}
