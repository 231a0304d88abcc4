import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, humanUser, ok } from "../helpers/fixtures.js";
import { startServer, untilOutput, type TestServer } from "../helpers/server.js";

interface OutboxRow {
  kind: string;
  channel: string;
  user_id: string;
  recipient: string;
  payload: string;
  sealed_secret: string | null;
  status: string;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      LATCHKEY_RESET_URL_TEMPLATE: "https://login.example.com/reset?u={{.UserID}}&c={{.Code}}",
      LATCHKEY_RESET_URL_ORIGINS: "https://app.example.com",
    },
  });
});
afterAll(async () => {
  await server.stop();
});

function outboxFor(userId: string): Promise<OutboxRow[]> {
  return storeRows<OutboxRow>(server.dataDir, `SELECT * FROM outbox WHERE user_id = ? ORDER BY id`, [userId]);
}

describe.each(PROTOCOLS)("PasswordReset over %s", (protocol) => {
  const client = clientFor(protocol, () => server);

  async function newUser(extra: Record<string, unknown> = {}): Promise<{ userId: string; email: string }> {
    const request = humanUser(extra);
    const userId = ok(await client.call("AddHumanUser", request, client.admin)).userId as string;
    return { userId, email: (request.email as { email: string }).email };
  }

  it("returns a code to a privileged caller, with details, and queues nothing", async () => {
    const { userId } = await newUser();
    const reset = ok(await client.call("PasswordReset", { userId, returnCode: {} }, client.admin));
    expect(reset.verificationCode).toMatch(/^[A-Z0-9]{10}$/);
    expect(reset.details.sequence).toBe("2");
    expect(reset.details.resourceOwner).toMatch(/^\d+$/);
    expect(await outboxFor(userId)).toEqual([]);
  });

  it("queues a reset link by e-mail with the request's template, without the plaintext code", async () => {
    const { userId, email } = await newUser();
    const template = "https://app.example.com/set-password?user={{.UserID}}&code={{.Code}}&org={{.OrgID}}";
    const reset = ok(
      await client.call(
        "PasswordReset",
        { userId, sendLink: { notificationType: "NOTIFICATION_TYPE_Email", urlTemplate: template } },
        client.admin,
      ),
    );
    expect(reset.verificationCode).toBeUndefined();
    expect(reset.details.sequence).toBe("2");
    const [row, ...rest] = await outboxFor(userId);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({ kind: "password_reset", channel: "email", recipient: email, status: "pending" });
    expect(JSON.parse(row!.payload)).toMatchObject({ urlTemplate: template, orgId: reset.details.resourceOwner, name: "Ada" });
    expect(row!.sealed_secret).toBeNull(); // the code is computed again when the mail is sent: not even sealed here
    await untilOutput(server, `"msg":"password reset link queued","userId":"${userId}"`);
  });

  it("sends a link by e-mail with the configured template when no medium is given", async () => {
    const { userId } = await newUser();
    ok(await client.call("PasswordReset", { userId }, client.admin));
    const [row] = await outboxFor(userId);
    expect(row!.channel).toBe("email");
    expect(JSON.parse(row!.payload).urlTemplate).toBe("https://login.example.com/reset?u={{.UserID}}&c={{.Code}}");
  });

  it("queues an SMS for a user with a phone and refuses one without", async () => {
    const withPhone = await newUser({ phone: { phone: "+41 79 123 45 67" } });
    ok(
      await client.call(
        "PasswordReset",
        { userId: withPhone.userId, sendLink: { notificationType: "NOTIFICATION_TYPE_SMS" } },
        client.admin,
      ),
    );
    expect((await outboxFor(withPhone.userId))[0]).toMatchObject({ channel: "sms", recipient: "+41 79 123 45 67" });

    const without = await newUser();
    const result = await client.call(
      "PasswordReset",
      { userId: without.userId, sendLink: { notificationType: "NOTIFICATION_TYPE_SMS" } },
      client.admin,
    );
    failure(result, "failed_precondition", "PHONE_MISSING");
    expect(await outboxFor(without.userId)).toEqual([]);
  });

  it("refuses a url_template that is not an http(s) URL on an allowed origin", async () => {
    const { userId } = await newUser();
    const foreign = [
      "https://evil.example.com/?c={{.Code}}",
      "https://app.example.com.evil.example/?c={{.Code}}",
      "http://app.example.com/?c={{.Code}}",
    ];
    const ambiguous = ["http://localhost:8080\\@evil.example/?c={{.Code}}", "https://app.example.com\\@evil.example/?c={{.Code}}"];
    for (const urlTemplate of ["javascript:alert(1)//{{.Code}}", "/relative?code={{.Code}}", "not a url", ...foreign, ...ambiguous]) {
      const error = failure(await client.call("PasswordReset", { userId, sendLink: { urlTemplate } }, client.admin), "invalid_argument");
      expect(error.violations[0]!.field).toBe("send_link.url_template");
    }
    expect(await outboxFor(userId)).toEqual([]);
  });

  it("answers NotFound for an unknown user and Unauthenticated for anonymous callers", async () => {
    failure(await client.call("PasswordReset", { userId: "no-such-user", returnCode: {} }, client.admin), "not_found", "USER_NOT_FOUND");
    const { userId } = await newUser();
    failure(await client.call("PasswordReset", { userId, returnCode: {} }), "unauthenticated");
    failure(await client.call("PasswordReset", { userId, sendLink: {} }), "unauthenticated");
    expect(await outboxFor(userId)).toEqual([]);
  });
});
