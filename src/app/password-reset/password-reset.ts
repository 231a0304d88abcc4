import { randomUUID } from "node:crypto";
import { generateCode } from "../../crypto/codes.js";
import { type UserState } from "../../domain/user.js";
import { userNotFound } from "../../domain/user-commands.js";
import type { Actor, AppContext } from "../shared/context.js";
import { writeUser } from "../shared/write-user.js";
import { newCodeWrite } from "./new-reset-code.js";
import { checkLinkTemplate, resetLinkCode } from "./reset-links.js";

export type ResetMedium =
  | { kind: "return_code" }
  | { kind: "send_link"; channel: "email" | "sms"; urlTemplate?: string; /** asked for by the forgot-password form */ public?: true };

interface PasswordResetResult {
  state: UserState;
  /** Only for `return_code`: the one place a code leaves the server in plaintext. */
  code?: string;
}

/** UserService.PasswordReset: a code returned to a trusted backend, or a link sent to the user. */
export async function passwordReset(
  app: Pick<AppContext, "clock" | "keys" | "log" | "metrics" | "outboxQueued" | "settings" | "store" | "userLocks">,
  userId: string,
  medium: ResetMedium,
  actor: Actor,
): Promise<PasswordResetResult> {
  if (medium.kind === "send_link" && medium.urlTemplate !== undefined) checkLinkTemplate(app, medium.urlTemplate);
  // A link's code is computed again when the message is sent: only its digest is ever written.
  const messageId = randomUUID();
  const code = medium.kind === "return_code" ? generateCode() : resetLinkCode(app.keys, userId, messageId);
  const state = await writeUser(app, userId, actor, async (current, now) => {
    if (current === null) return { events: [], error: userNotFound() };
    return newCodeWrite(app, current, now, medium, code, messageId);
  });
  if (medium.kind === "return_code") return { state, code };
  app.log.info("password reset link queued", { userId, channel: medium.channel });
  app.outboxQueued();
  return { state };
}
