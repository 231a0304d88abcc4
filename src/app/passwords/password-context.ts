import type { PasswordContext } from "../../domain/password-policy.js";
import type { HumanIdentity } from "../../domain/user.js";
import type { AppContext } from "../shared/context.js";

/** What the password rules beyond composition compare a new password with. */
export function passwordContext(
  app: Pick<AppContext, "settings">,
  user: Pick<HumanIdentity, "username" | "email" | "profile">,
): PasswordContext {
  const breached = app.settings.breachedPasswords;
  return {
    commonPasswords: app.settings.commonPasswords,
    ...(breached && { breached: (password: string) => breached.has(password) }),
    personal: [
      { label: "username", value: user.username },
      { label: "e-mail address", value: user.email },
      { label: "given name", value: user.profile.givenName },
      { label: "family name", value: user.profile.familyName },
    ],
  };
}
