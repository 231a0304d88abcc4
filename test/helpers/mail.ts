import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface SmtpSink {
  port: number;
  messages: ParsedMail[];
  /** Resolves with the first message (received or still to come) that matches. */
  next(match: (mail: ParsedMail) => boolean): Promise<ParsedMail>;
  /** Resolves with the first `count` messages that match, once that many have arrived. */
  atLeast(count: number, match: (mail: ParsedMail) => boolean): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

const recipient = (mail: ParsedMail): string => {
  const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
  return to?.value[0]?.address ?? "";
};

export const mailTo = (address: string) => (mail: ParsedMail) => recipient(mail).toLowerCase() === address.toLowerCase();

/** A real SMTP server on loopback that keeps what it receives; it refuses recipients `refuse` names, as a mailbox that does not exist. */
export async function startSmtpSink(options: { port?: number; refuse?: (address: string) => boolean } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const waiting: Array<{ match: (m: ParsedMail) => boolean; resolve: (m: ParsedMail) => void }> = [];
  const arrivals: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        const error = Object.assign(new Error("5.1.1 mailbox unavailable"), { responseCode: 550 });
        return callback(error);
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          for (const arrived of arrivals.splice(0)) arrived();
          for (const w of waiting.filter((w) => w.match(mail))) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(mail);
          }
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo).port;
  return {
    port,
    messages,
    next: (match) => {
      const found = messages.find(match);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.push({ match, resolve }));
    },
    async atLeast(count, match) {
      while (messages.filter(match).length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
      return messages.filter(match).slice(0, count);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface WebhookCall {
  headers: IncomingHttpHeaders;
  body: { to: string; message: string };
}

/** A real HTTP server standing in for an SMS gateway. */
export async function startWebhookSink(): Promise<{
  url: string;
  calls: WebhookCall[];
  next(): Promise<WebhookCall>;
  close(): Promise<void>;
}> {
  const calls: WebhookCall[] = [];
  const waiting: Array<(c: WebhookCall) => void> = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      const call = { headers: req.headers, body: JSON.parse(body) as WebhookCall["body"] };
      calls.push(call);
      waiting.shift()?.(call);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    calls,
    next: () => new Promise((resolve) => (calls.length > 0 ? resolve(calls.shift()!) : waiting.push(resolve))),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The code in a reset link, from the link's `code` query parameter. */
export function codeFromLink(text: string): { link: string; code: string } {
  const link = /https?:\/\/\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no link in: ${text}`);
  const code = new URL(link).searchParams.get("code");
  if (!code) throw new Error(`no code in link ${link}`);
  return { link, code };
}
