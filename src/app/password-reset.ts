import { randomUUID } from "node:crypto";
import { generateCode } from "../crypto/codes.js";
import { seal } from "../crypto/sealed-box.js";
import { DomainError, invalidArgument } from "../domain/errors.js";
import { urlTemplateViolations } from "../domain/url-template.js";
import { decide, userNotFound, type UserState } from "../domain/user.js";
import type { Actor, AppContext } from "./context.js";
import { codeDigest } from "./set-password.js";
import { writeUser } from "./write-user.js";

export type ResetMedium = { kind: "return_code" } | { kind: "send_link"; channel: "email" | "sms"; urlTemplate?: string };

export interface PasswordResetResult {
  state: UserState;
  /** Only for `return_code`: the one place a code leaves the server in plaintext. */
  code?: string;
}

export async function requestPasswordReset(
  ctx: AppContext,
  userId: string,
  medium: ResetMedium,
  actor: Actor,
): Promise<PasswordResetResult> {
  if (medium.kind === "send_link" && medium.urlTemplate !== undefined) {
    const violations = urlTemplateViolations(medium.urlTemplate, "send_link.url_template");
    if (violations.length > 0) throw invalidArgument(violations);
  }
  const code = generateCode();
  const state = await writeUser(ctx, userId, actor, async (current, now) => {
    if (current === null) return { events: [], error: userNotFound() };
    if (medium.kind === "send_link" && medium.channel === "sms" && current.phone === null) {
      return { events: [], error: new DomainError("PHONE_MISSING", "the user has no phone number to send an SMS to") };
    }
    return {
      ...decide(
        {
          type: "RequestPasswordCode",
          codeDigest: codeDigest(ctx, userId, code),
          expiresAt: now + ctx.settings.codeTtlMs,
          medium: medium.kind === "return_code" ? "returned" : medium.channel,
        },
        current,
        now,
      ),
      inTransaction: (next) => {
        if (medium.kind === "send_link") queueResetMessage(ctx, next, medium, code);
      },
    };
  });
  if (medium.kind === "return_code") return { state, code };
  ctx.log.info("password reset link queued", { userId, channel: medium.channel });
  return { state };
}

function queueResetMessage(ctx: AppContext, user: UserState, medium: Extract<ResetMedium, { kind: "send_link" }>, code: string) {
  ctx.store.outbox.enqueue({
    messageId: randomUUID(),
    kind: "password_reset",
    channel: medium.channel,
    userId: user.userId,
    recipient: medium.channel === "sms" ? user.phone! : user.email,
    payload: { urlTemplate: medium.urlTemplate ?? ctx.settings.resetUrlTemplate, orgId: user.orgId },
    sealedSecret: seal(ctx.keys.outbox, code),
    createdAt: user.changedAt,
  });
}
