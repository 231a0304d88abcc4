import { checkLoginName, Violations } from "../domain/user-input.js";
import { findUser } from "./check-password.js";
import type { AppContext } from "./context.js";
import { checkLinkTemplate, requestPublicReset } from "./password-reset.js";

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
    const user = await findUser(ctx, { loginName });
    if (user !== null) await requestPublicReset(ctx, user.userId, urlTemplate, ANONYMOUS);
    await ctx.store.durable();
    ctx.log.info("public password reset request handled");
  });
}
