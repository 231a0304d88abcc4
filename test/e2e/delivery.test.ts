import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { codeFromLink, mailTo, startSmtpSink, startWebhookSink, type SmtpSink } from "../helpers/mail.js";
import { storeLeaks } from "../helpers/scan.js";
import { startServer, tempDataDir, untilOutput, type TestServer } from "../helpers/server.js";

const ORIGIN = "https://app.example.com";
const TEMPLATE = `${ORIGIN}/reset?user={{.UserID}}&code={{.Code}}`;
/** Quick retries, so the tests see several attempts. */
const FAST_RETRIES = { LATCHKEY_OUTBOX_RETRY_BASE: "20ms", LATCHKEY_OUTBOX_RETRY_MAX: "100ms", LATCHKEY_RESET_URL_ORIGINS: ORIGIN };

interface OutboxRow {
  message_id: string;
  kind: string;
  status: string;
  attempts: number;
  sealed_secret: string | null;
  last_error: string | null;
}

function outbox(dataDir: string, userId: string): Promise<OutboxRow[]> {
  return storeRows<OutboxRow>(dataDir, `SELECT * FROM outbox WHERE user_id = ? ORDER BY id`, [userId]);
}

async function addUser(server: TestServer, extra: Record<string, unknown> = {}) {
  const request = humanUser(extra);
  const users = createUserClient("grpc", server.baseUrl);
  const userId = ok(await users.call("AddHumanUser", request, server.adminToken)).userId as string;
  users.close();
  return { userId, email: (request.email as { email: string }).email, username: request.username as string };
}

async function sendResetLink(server: TestServer, userId: string, sendLink: Record<string, string> = { urlTemplate: TEMPLATE }) {
  const users = createUserClient("connect-json", server.baseUrl);
  ok(await users.call("PasswordReset", { userId, sendLink }, server.adminToken));
}

describe("e-mail over SMTP", () => {
  let smtp: SmtpSink;
  let server: TestServer;
  beforeAll(async () => {
    smtp = await startSmtpSink({ refuse: (address) => address.startsWith("bounce") });
    server = await startServer({
      env: {
        ...FAST_RETRIES,
        LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        LATCHKEY_MAIL_FROM: "Latchkey <accounts@example.com>",
        LATCHKEY_OUTBOX_MAX_ATTEMPTS: "3",
      },
    });
  });
  afterAll(async () => {
    await server.stop();
    await smtp.close();
  });

  it("delivers a reset link whose code sets the password, then tells the user it changed", async () => {
    const user = await addUser(server, { profile: { givenName: "<b>Ada</b>", familyName: "Lovelace" } });
    await sendResetLink(server, user.userId);
    const mail = await smtp.next(mailTo(user.email));
    expect(mail.subject).toBe("Reset your password");
    expect(mail.from?.text).toContain("accounts@example.com");
    const { link, code } = codeFromLink(mail.text!);
    expect(link).toBe(`${ORIGIN}/reset?user=${user.userId}&code=${code}`);
    expect(mail.html).toContain(`href="${link.replaceAll("&", "&amp;")}"`);
    expect(mail.html).toContain("&lt;b&gt;Ada&lt;/b&gt;"); // values are escaped in HTML
    expect(mail.text).toContain("<b>Ada</b>");

    const messageId = (await outbox(server.dataDir, user.userId))[0]!.message_id;
    expect(mail.messageId).toBe(`<${messageId}@example.com>`);
    // The mail can reach the SMTP server a moment before the worker records the delivery.
    await untilOutput(server, `"msg":"message delivered","messageId":"${messageId}"`);
    expect((await outbox(server.dataDir, user.userId))[0]).toMatchObject({ status: "delivered", attempts: 1, sealed_secret: null });

    const users = createUserClient("grpc", server.baseUrl);
    ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    const sessions = createRpcClient("grpc", server.baseUrl, SessionService);
    ok(await sessions.call("CreateSession", { checks: { user: { userId: user.userId }, password: { password: OTHER_PASSWORD } } }));

    const notice = await smtp.next((m) => mailTo(user.email)(m) && m.subject === "Your password was changed");
    expect(notice.text).toContain("with a reset code");
    expect(notice.text).not.toContain(code);
    users.close();
    sessions.close();
    await untilOutput(server, `"msg":"message delivered","messageId":"${(await outbox(server.dataDir, user.userId))[1]!.message_id}"`);
    // Not even encrypted, in the database, its WAL or anywhere else in the data dir.
    expect(await storeLeaks(server.dataDir, code)).toEqual([]);
  });

  it("tells the user after every kind of password change", async () => {
    const user = await addUser(server);
    const users = createUserClient("grpc", server.baseUrl);
    ok(
      await users.call(
        "SetPassword",
        { userId: user.userId, newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD },
        server.adminToken,
      ),
    );
    ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: "Thr33-Password!" } }, server.adminToken));
    users.close();
    const [byCurrent, byAdmin] = (await smtp.atLeast(2, mailTo(user.email))).map((m) => m.text!);
    expect(byCurrent).toContain("was changed with the current password at");
    expect(byAdmin).toContain("was changed by an administrator at");
  });

  it("gives up on an address that keeps refusing, after the bounded attempts, without holding up others", async () => {
    const bouncing = await addUser(server, { email: { email: `bounce-${unique()}@example.com` } });
    const fine = await addUser(server);
    await sendResetLink(server, bouncing.userId);
    await sendResetLink(server, fine.userId);
    await smtp.next(mailTo(fine.email));
    await untilOutput(server, `"msg":"message abandoned","messageId":"${(await outbox(server.dataDir, bouncing.userId))[0]!.message_id}"`);
    const [row] = await outbox(server.dataDir, bouncing.userId);
    expect(row).toMatchObject({ status: "failed", attempts: 3, sealed_secret: null });
    expect(row!.last_error).toContain("550");
    expect(smtp.messages.some(mailTo(bouncing.email))).toBe(false);
  });
});

describe("when delivery is interrupted", () => {
  it("delivers a reset requested while the SMTP server was down once it is back", async () => {
    const probe = await startSmtpSink();
    const port = probe.port;
    await probe.close(); // nothing listens on this port now
    const server = await startServer({
      env: { ...FAST_RETRIES, LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${port}`, LATCHKEY_OUTBOX_MAX_ATTEMPTS: "100" },
    });
    let smtp: SmtpSink | undefined;
    try {
      const user = await addUser(server);
      await sendResetLink(server, user.userId);
      await untilOutput(server, '"msg":"message delivery failed, retrying"');
      smtp = await startSmtpSink({ port });
      const mail = await smtp.next(mailTo(user.email));
      expect(codeFromLink(mail.text!).code).toMatch(/^[A-Z0-9]{10}$/);
    } finally {
      await server.stop();
      await smtp?.close();
    }
  });

  it("delivers what was queued before the server was killed, after it restarts", async () => {
    const dataDir = tempDataDir();
    const adminToken = "restart-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz";
    const first = await startServer({ dataDir, adminToken, env: { LATCHKEY_RESET_URL_ORIGINS: ORIGIN } }); // no e-mail transport: rows stay queued
    expect(first.output()).toContain("no e-mail transport");
    const user = await addUser(first);
    await sendResetLink(first, user.userId);
    expect((await outbox(dataDir, user.userId))[0]!.status).toBe("pending");
    await first.stop("SIGKILL");

    const smtp = await startSmtpSink();
    const second = await startServer({ dataDir, adminToken, env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    try {
      const mail = await smtp.next(mailTo(user.email));
      expect(mail.subject).toBe("Reset your password");
    } finally {
      await second.stop();
      await smtp.close();
    }
  });
});

describe("other channels and settings", () => {
  it("sends an SMS reset through the webhook with the code", async () => {
    const webhook = await startWebhookSink();
    const server = await startServer({ env: { ...FAST_RETRIES, LATCHKEY_SMS_WEBHOOK_URL: webhook.url } });
    try {
      const user = await addUser(server, { phone: { phone: "+41791234567" } });
      await sendResetLink(server, user.userId, { notificationType: "NOTIFICATION_TYPE_SMS" });
      const call = await webhook.next();
      expect(call.body.to).toBe("+41791234567");
      const code = /code for \S+ is ([A-Z0-9]{10})/.exec(call.body.message)?.[1];
      expect(code).toBeDefined();
      expect(call.headers["idempotency-key"]).toBe((await outbox(server.dataDir, user.userId))[0]!.message_id);
      const users = createUserClient("grpc", server.baseUrl);
      ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code! }));
      users.close();
    } finally {
      await server.stop();
      await webhook.close();
    }
  });

  it("writes .eml files to a mail dir, with templates an operator overrides, and can keep quiet about changes", async () => {
    const mailDir = tempDataDir();
    const templateDir = join(tempDataDir(), "templates");
    mkdirSync(templateDir);
    writeFileSync(join(templateDir, "password_reset.subject.txt"), "Passwort zurücksetzen für {{username}}\n");
    const server = await startServer({
      env: { ...FAST_RETRIES, LATCHKEY_MAIL_DIR: mailDir, LATCHKEY_TEMPLATE_DIR: templateDir, LATCHKEY_NOTIFY_PASSWORD_CHANGED: "false" },
    });
    try {
      const user = await addUser(server);
      await sendResetLink(server, user.userId);
      await untilOutput(server, '"msg":"message delivered"');
      const [file] = readdirSync(mailDir);
      const mail = await simpleParser(readFileSync(join(mailDir, file!)));
      expect(mail.subject).toBe(`Passwort zurücksetzen für ${user.username}`);
      expect(mail.text).toContain("Open this link to choose a new password"); // the default body
      const users = createUserClient("grpc", server.baseUrl);
      ok(await users.call("SetPassword", { userId: user.userId, newPassword: { password: OTHER_PASSWORD } }, server.adminToken));
      users.close();
      expect((await outbox(server.dataDir, user.userId)).map((r) => r.kind)).toEqual(["password_reset"]);
    } finally {
      await server.stop();
    }
  });
});
