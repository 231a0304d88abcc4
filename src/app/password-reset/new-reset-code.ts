import { DomainError } from "../../domain/errors.js";
import { type UserState } from "../../domain/user.js";
import { decide } from "../../domain/user-commands.js";
import type { Tables } from "../../store/store.js";
import { personalFields } from "../shared/personal-fields.js";
import type { AppContext } from "../shared/context.js";
import { codeDigest } from "../shared/digests.js";
import type { UserWrite } from "../shared/write-user.js";
import type { ResetMedium } from "./password-reset.js";

/** The write that opens a new reset code (and queues its link, for a link). */
export function newCodeWrite(
  app: Pick<AppContext, "keys" | "settings">,
  current: UserState,
  now: number,
  medium: ResetMedium,
  code: string,
  messageId: string,
): UserWrite {
  if (medium.kind === "send_link" && medium.channel === "email" && !mayMailResetLink(app, current)) {
    return { events: [], error: new DomainError("EMAIL_NOT_VERIFIED", "the user's e-mail address is not verified") };
  }
  if (medium.kind === "send_link" && medium.channel === "sms" && current.phone === null) {
    return { events: [], error: new DomainError("PHONE_MISSING", "the user has no phone number to send an SMS to") };
  }
  const expiresAt = now + app.settings.codeTtlMs;
  return {
    ...decide(
      {
        type: "RequestPasswordCode",
        codeDigest: codeDigest(app.keys, current.userId, code),
        expiresAt,
        medium: medium.kind === "return_code" ? "returned" : medium.channel,
        ...(medium.kind === "send_link" && { linkId: messageId }),
      },
      current,
      now,
    ),
    inTransaction: async (tx, next) => {
      if (medium.kind === "send_link") await queueResetMessage(app, tx, next, medium, { messageId, linkId: messageId, expiresAt });
    },
  };
}

/** Queues the message that carries a reset link, in the write's transaction. */
export function queueResetMessage(
  app: Pick<AppContext, "settings">,
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
      urlTemplate: medium.urlTemplate ?? app.settings.resetUrlTemplate,
      orgId: user.orgId,
      expiresAt: String(expiresAt),
      linkId,
    },
    sealedSecret: null,
    createdAt: user.changedAt,
  });
}

/** Whether a reset link may go to the user's e-mail address (LATCHKEY_RESET_REQUIRES_VERIFIED_EMAIL). */
export function mayMailResetLink(app: Pick<AppContext, "settings">, user: UserState): boolean {
  return user.emailVerified || !app.settings.resetRequiresVerifiedEmail;
}
