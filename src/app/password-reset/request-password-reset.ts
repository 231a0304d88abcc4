import { randomInt, randomUUID } from "node:crypto";
import { publicResetAction } from "../../domain/password-code.js";
import { decide, userNotFound } from "../../domain/user-commands.js";
import { writeUser } from "../shared/write-user.js";
import { open as openSealed, seal } from "../../crypto/sealed-box.js";
import { checkLoginName, Violations } from "../../domain/user-input.js";
import type { PendingMessage } from "../../store/outbox.js";
import { findUser } from "../users/find-user.js";
import type { Actor, AppContext } from "../shared/context.js";
import { checkLinkTemplate, resetLinkCode } from "./reset-links.js";
import { mayMailResetLink, newCodeWrite, queueResetMessage } from "./new-reset-code.js";

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
export function requestPasswordReset(
  app: Pick<AppContext, "background" | "clock" | "keys" | "settings" | "store">,
  loginName: string,
  urlTemplate: string | undefined,
): void {
  new Violations().tap((v) => checkLoginName(v, "loginName", loginName)).throwIfAny();
  if (urlTemplate !== undefined) checkLinkTemplate(app, urlTemplate);

  app.background.run("public password reset", async () => {
    const now = app.clock();
    await app.store.outbox.enqueue({
      messageId: randomUUID(),
      kind: "public_reset_request",
      channel: "internal",
      userId: "",
      recipient: "",
      payload: urlTemplate === undefined ? {} : { urlTemplate },
      sealedSecret: seal(app.keys.outbox, loginName),
      createdAt: now,
      dueAt: now + randomInt(HANDLING_SPREAD_MS),
    });
    await app.store.durable();
  });
}

/**
 * Carries out a queued forgot-password request: for a real name, the link goes only to the user's
 * own address. While a link code is open, a request sends that code again rather than a new one,
 * so a stranger's requests cannot replace the owner's link; one message per user per interval,
 * further requests quietly send nothing.
 */
export async function handlePublicResetRequest(
  app: Pick<AppContext, "clock" | "keys" | "log" | "metrics" | "outboxQueued" | "settings" | "store" | "userLocks">,
  message: PendingMessage,
): Promise<void> {
  if (message.sealedSecret === null) return;
  const loginName = openSealed(app.keys.outbox, message.sealedSecret);
  const user = await findUser(app, { loginName });
  if (user !== null) await sendPublicResetLink(app, user.userId, message.payload.urlTemplate, ANONYMOUS);
  app.log.info("public password reset request handled");
}

/**
 * The forgot-password form's write for a user: a new link code, the open one sent again, or
 * nothing (publicResetAction). Decided on the state it writes over, so that requests racing on
 * any number of replicas open one code and send one message per interval.
 */
async function sendPublicResetLink(
  app: Pick<AppContext, "clock" | "keys" | "metrics" | "outboxQueued" | "settings" | "store" | "userLocks">,
  userId: string,
  urlTemplate: string | undefined,
  actor: Actor,
): Promise<void> {
  const medium = { kind: "send_link", channel: "email", public: true, ...(urlTemplate !== undefined && { urlTemplate }) } as const;
  const messageId = randomUUID();
  let queued = false;
  await writeUser(app, userId, actor, async (current, now) => {
    if (current === null) return { events: [], error: userNotFound() };
    // No link for a user who may not log in, nor to an address the settings do not trust.
    if (current.deactivated || !mayMailResetLink(app, current)) return { events: [] };
    const action = publicResetAction(current.passwordCode, now);
    queued = action !== "nothing";
    if (action === "nothing") return { events: [] };
    if (action === "new_code") return newCodeWrite(app, current, now, medium, resetLinkCode(app.keys, userId, messageId), messageId);
    return {
      ...decide({ type: "ResendPasswordCode" }, current, now),
      inTransaction: (tx, next) =>
        queueResetMessage(app, tx, next, medium, {
          messageId,
          linkId: next.passwordCode!.linkId!,
          expiresAt: next.passwordCode!.expiresAt,
        }),
    };
  });
  if (queued) app.outboxQueued();
}
