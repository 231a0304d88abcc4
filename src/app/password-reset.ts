import { randomUUID } from "node:crypto";
import { deriveCode, generateCode } from "../crypto/codes.js";
import type { Keys } from "../crypto/keys.js";
import { DomainError, invalidArgument } from "../domain/errors.js";
import { linkOrigin, urlTemplateViolations } from "../domain/url-template.js";
import { publicResetAction } from "../domain/password-code.js";
import { decide, userNotFound, type UserState } from "../domain/user.js";
import type { Tables } from "../store/store.js";
import type { Actor, AppContext } from "./context.js";
import { personalFields } from "./notices.js";
import { codeDigest } from "./set-password.js";
import { writeUser, type UserWrite } from "./write-user.js";

export type ResetMedium =
  | { kind: "return_code" }
  | { kind: "send_link"; channel: "email" | "sms"; urlTemplate?: string; /** asked for by the forgot-password form */ public?: true };

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
  if (medium.kind === "send_link" && medium.urlTemplate !== undefined) checkLinkTemplate(ctx, medium.urlTemplate, "send_link.url_template");
  // A link's code is computed again when the message is sent: only its digest is ever written.
  const messageId = randomUUID();
  const code = medium.kind === "return_code" ? generateCode() : resetLinkCode(ctx.keys, userId, messageId);
  const state = await writeUser(ctx, userId, actor, async (current, now) => {
    if (current === null) return { events: [], error: userNotFound() };
    return newCodeWrite(ctx, current, now, medium, code, messageId);
  });
  if (medium.kind === "return_code") return { state, code };
  ctx.log.info("password reset link queued", { userId, channel: medium.channel });
  ctx.outboxQueued();
  return { state };
}

/**
 * A link template must give an http(s) link on an origin the operator allows: a reset link
 * pointing anywhere else would hand the code to whoever runs that site.
 */
export function checkLinkTemplate(ctx: AppContext, urlTemplate: string, field: string): void {
  const violations = urlTemplateViolations(urlTemplate, field);
  if (violations.length > 0) throw invalidArgument(violations);
  const origin = linkOrigin(urlTemplate);
  const allowed = [...ctx.settings.resetUrlOrigins, linkOrigin(ctx.settings.resetUrlTemplate)];
  if (origin === null || !allowed.includes(origin)) {
    throw invalidArgument([{ field, description: "must point at an origin allowed by LATCHKEY_RESET_URL_ORIGINS" }]);
  }
}

/** The code a reset link carries: computed from the server secret and the link's id. */
export function resetLinkCode(keys: Keys, userId: string, linkId: string): string {
  return deriveCode(keys.resetLinks, "password-reset-link", userId, linkId);
}

/** The code a queued reset message carries (`linkId` in its payload; earlier rows used their message id). */
export function resetMessageCode(keys: Keys, message: { userId: string; messageId: string; payload: Record<string, string> }): string {
  return resetLinkCode(keys, message.userId, message.payload.linkId ?? message.messageId);
}

/**
 * The forgot-password form's write for a user: a new link code, the open one sent again, or
 * nothing (publicResetAction). Decided on the state it writes over, so that requests racing on
 * any number of replicas open one code and send one message per interval.
 */
export async function requestPublicReset(ctx: AppContext, userId: string, urlTemplate: string | undefined, actor: Actor): Promise<void> {
  const medium = { kind: "send_link", channel: "email", public: true, ...(urlTemplate !== undefined && { urlTemplate }) } as const;
  const messageId = randomUUID();
  let queued = false;
  await writeUser(ctx, userId, actor, async (current, now) => {
    if (current === null) return { events: [], error: userNotFound() };
    const action = publicResetAction(current.passwordCode, now);
    queued = action !== "nothing";
    if (action === "nothing") return { events: [] };
    if (action === "new_code") return newCodeWrite(ctx, current, now, medium, resetLinkCode(ctx.keys, userId, messageId), messageId);
    return {
      ...decide({ type: "ResendPasswordCode" }, current, now),
      inTransaction: (tx, next) =>
        queueResetMessage(ctx, tx, next, medium, {
          messageId,
          linkId: next.passwordCode!.linkId!,
          expiresAt: next.passwordCode!.expiresAt,
        }),
    };
  });
  if (queued) ctx.outboxQueued();
}

function newCodeWrite(ctx: AppContext, current: UserState, now: number, medium: ResetMedium, code: string, messageId: string): UserWrite {
  if (medium.kind === "send_link" && medium.channel === "sms" && current.phone === null) {
    return { events: [], error: new DomainError("PHONE_MISSING", "the user has no phone number to send an SMS to") };
  }
  const expiresAt = now + ctx.settings.codeTtlMs;
  return {
    ...decide(
      {
        type: "RequestPasswordCode",
        codeDigest: codeDigest(ctx, current.userId, code),
        expiresAt,
        medium: medium.kind === "return_code" ? "returned" : medium.channel,
        ...(medium.kind === "send_link" && { linkId: messageId }),
      },
      current,
      now,
    ),
    inTransaction: async (tx, next) => {
      if (medium.kind === "send_link") await queueResetMessage(ctx, tx, next, medium, { messageId, linkId: messageId, expiresAt });
    },
  };
}

function queueResetMessage(
  ctx: AppContext,
  tx: Tables,
  user: UserState,
  medium: Extract<ResetMedium, { kind: "send_link" }>,
  { messageId, linkId, expiresAt }: { messageId: string; linkId: string; expiresAt: number },
) {
  return tx.outbox.enqueue({
    messageId,
    kind: medium.public ? "public_password_reset" : "password_reset",
    channel: medium.channel,
    userId: user.userId,
    recipient: medium.channel === "sms" ? user.phone! : user.email,
    payload: {
      ...personalFields(user),
      urlTemplate: medium.urlTemplate ?? ctx.settings.resetUrlTemplate,
      orgId: user.orgId,
      expiresAt: String(expiresAt),
      linkId,
    },
    sealedSecret: null,
    createdAt: user.changedAt,
  });
}
