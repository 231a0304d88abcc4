import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nodemailer from "nodemailer";
import type { Outgoing } from "./compose.js";

type Email = Extract<Outgoing, { channel: "email" }>;
type Sms = Extract<Outgoing, { channel: "sms" }>;

export interface EmailTransport {
  send(mail: Email): Promise<void>;
}

export interface SmsTransport {
  send(sms: Sms): Promise<void>;
}

const SEND_TIMEOUT_MS = 15_000;

/** A Message-ID stable across retries, so a receiver can tell a repeat. */
function messageIdHeader(mail: Email, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "latchkey.invalid";
  return `<${mail.messageId}@${domain}>`;
}

/**
 * The recipient goes as one address object and as the SMTP envelope's only recipient: a string
 * would be parsed as an address list, which could name more recipients than the user.
 */
function envelope(mail: Email, from: string) {
  return {
    from,
    to: { name: "", address: mail.to },
    envelope: { from: /<([^>]+)>\s*$/.exec(from)?.[1] ?? from, to: [mail.to] },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: messageIdHeader(mail, from),
  };
}

/** SMTP (smtp:// or smtps://, credentials in the URL) with bounded waits, so one dead server cannot stall the queue forever. */
export function smtpTransport(url: string, from: string): EmailTransport {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(mail) {
      await transport.sendMail(envelope(mail, from));
    },
  };
}

/** For development: each message as an .eml file in a directory. */
export function mailDirTransport(dir: string, from: string): EmailTransport {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    async send(mail) {
      const built = await transport.sendMail(envelope(mail, from));
      writeFileSync(join(dir, `${mail.messageId}.eml`), built.message as Buffer, { mode: 0o600 });
    },
  };
}

/** SMS through the operator's gateway: a JSON POST of {to, message}; any 2xx is delivered. */
export function smsWebhookTransport(url: string): SmsTransport {
  return {
    async send(sms) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": sms.messageId },
        body: JSON.stringify({ to: sms.to, message: sms.text }),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
    },
  };
}
