import { checkLoginName, Violations } from "../domain/user-input.js";
import { publicResetAction } from "../domain/password-code.js";
import { findUser } from "./check-password.js";
import type { AppContext } from "./context.js";
import { checkLinkTemplate, requestPasswordReset, resendPasswordCode } from "./password-reset.js";

const ANONYMOUS = { id: "anonymous" };

/**
 * The forgot-password form: anyone may ask, for any login name. The caller learns nothing: the
 * answer is given before the user is even looked up, and the link goes only to the user's own
 * address. While a link code is open, a request sends that code again rather than a new one, so a
 * stranger's requests cannot replace the owner's link; one message per user per interval, further
 * requests quietly send nothing.
 */
export function requestPublicPasswordReset(ctx: AppContext, loginName: string, urlTemplate: string | undefined): void {
  new Violations().tap((v) => checkLoginName(v, "login_name", loginName)).throwIfAny();
  if (urlTemplate !== undefined) checkLinkTemplate(ctx, urlTemplate, "url_template");

  ctx.background.run("public password reset", async () => {
    const user = findUser(ctx, { loginName });
    const action = user === null ? "nothing" : publicResetAction(user.passwordCode, ctx.clock());
    if (user !== null && action === "new_code") {
      const medium = { kind: "send_link", channel: "email", ...(urlTemplate !== undefined && { urlTemplate }) } as const;
      await requestPasswordReset(ctx, user.userId, medium, ANONYMOUS);
    } else if (user !== null && action === "resend") {
      await resendPasswordCode(ctx, user.userId, urlTemplate, ANONYMOUS);
    }
    await ctx.store.durable();
    ctx.log.info("public password reset request handled");
  });
}
