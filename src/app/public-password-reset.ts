import { randomInt, randomUUID } from "node:crypto";
import { open as openSealed, seal } from "../crypto/sealed-box.js";
import { checkLoginName, Violations } from "../domain/user-input.js";
import type { PendingMessage } from "../store/outbox.js";
import { findUser } from "./check-password.js";
import type { AppContext } from "./context.js";
import { checkLinkTemplate, requestPublicReset } from "./password-reset.js";

const ANONYMOUS = { id: "anonymous" };

/**
 * A request is handled at a random moment within this long after it was queued, by whichever
 * replica's outbox worker claims it: never right after the call that asked, where the caller
 * could time it with its own next call.
 */
const HANDLING_SPREAD_MS = 1_000;

/**
 * The forgot-password form: anyone may ask, for any login name. The caller learns nothing: the
 * answer is given before anything is looked up, and what follows the answer is the same for every
 * name: one outbox row holding the name sealed, committed. Only when the outbox worker later
 * carries the request out does a real name lead to more (handlePublicResetRequest).
 */
export function requestPublicPasswordReset(ctx: AppContext, loginName: string, urlTemplate: string | undefined): void {
  new Violations().tap((v) => checkLoginName(v, "login_name", loginName)).throwIfAny();
  if (urlTemplate !== undefined) checkLinkTemplate(ctx, urlTemplate, "url_template");

  ctx.background.run("public password reset", async () => {
    const now = ctx.clock();
    await ctx.store.outbox.enqueue({
      messageId: randomUUID(),
      kind: "public_reset_request",
      channel: "internal",
      userId: "",
      recipient: "",
      payload: urlTemplate === undefined ? {} : { urlTemplate },
      sealedSecret: seal(ctx.keys.outbox, loginName),
      createdAt: now,
      dueAt: now + randomInt(HANDLING_SPREAD_MS),
    });
    await ctx.store.durable();
  });
}

/**
 * Carries out a queued forgot-password request: for a real name, the link goes only to the user's
 * own address. While a link code is open, a request sends that code again rather than a new one,
 * so a stranger's requests cannot replace the owner's link; one message per user per interval,
 * further requests quietly send nothing.
 */
export async function handlePublicResetRequest(ctx: AppContext, message: PendingMessage): Promise<void> {
  if (message.sealedSecret === null) return;
  const loginName = openSealed(ctx.keys.outbox, message.sealedSecret);
  const user = await findUser(ctx, { loginName });
  if (user !== null) await requestPublicReset(ctx, user.userId, message.payload.urlTemplate, ANONYMOUS);
  ctx.log.info("public password reset request handled");
}
