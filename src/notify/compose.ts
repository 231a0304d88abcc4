import { renderLink } from "../domain/url-template.js";
import type { PasswordChangeMethod } from "../domain/user.js";
import type { PendingMessage } from "../store/outbox.js";
import { render, type Templates } from "./templates.js";

export type Outgoing =
  | { channel: "email"; messageId: string; to: string; subject: string; text: string; html: string }
  | { channel: "sms"; messageId: string; to: string; text: string };

const METHOD_WORDING: Record<PasswordChangeMethod, string> = {
  current_password: "with the current password",
  verification_code: "with a reset code",
  privileged: "by an administrator",
};

const formatTime = (ms: number): string => new Date(ms).toUTCString();

/** Builds the message a row stands for. `codeOf` gives the code a reset message carries. */
export function compose(message: PendingMessage, templates: Templates, codeOf: (message: PendingMessage) => string): Outgoing {
  const p = message.payload;
  const common = { name: p.name ?? "", username: p.username ?? "" };
  if (message.kind === "public_reset_request") throw new Error("a forgot-password request is handled, not sent");
  if (message.kind === "password_reset" || message.kind === "public_password_reset") {
    const code = codeOf(message);
    const values = {
      ...common,
      code,
      link: renderLink(p.urlTemplate ?? "", { userId: message.userId, code, orgId: p.orgId ?? "" }),
      expiresAt: formatTime(Number(p.expiresAt)),
    };
    if (message.channel === "sms") {
      return {
        channel: "sms",
        messageId: message.messageId,
        to: message.recipient,
        text: render(templates["password_reset.sms.txt"], values, "text").trim(),
      };
    }
    return email("password_reset", message, templates, values);
  }
  const values = {
    ...common,
    method: METHOD_WORDING[p.method as PasswordChangeMethod] ?? "",
    changedAt: formatTime(Number(p.changedAt)),
  };
  return email("password_changed", message, templates, values);
}

function email(
  kind: "password_reset" | "password_changed",
  message: PendingMessage,
  templates: Templates,
  values: Record<string, string>,
): Outgoing {
  return {
    channel: "email",
    messageId: message.messageId,
    to: message.recipient,
    subject: render(templates[`${kind}.subject.txt`], values, "text").trim(),
    text: render(templates[`${kind}.txt`], values, "text"),
    html: render(templates[`${kind}.html`], values, "html"),
  };
}
