import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditService } from "../../gen/latchkey/audit/v1/audit_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

/** A google.protobuf.Struct as plain JSON: @grpc/proto-loader hands it over field by field. */
function plain(struct: any): any {
  if (struct?.fields === undefined) return struct;
  const value = (v: any): unknown => {
    if (v === null || typeof v !== "object") return v;
    if ("structValue" in v) return plain(v.structValue);
    if ("listValue" in v) return (v.listValue.values ?? []).map(value);
    if ("nullValue" in v) return null;
    return v.stringValue ?? v.boolValue ?? v.numberValue;
  };
  return Object.fromEntries(Object.entries(struct.fields).map(([key, v]) => [key, value(v)]));
}

describe.each(PROTOCOLS)("the audit trail over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const sessions = clientFor<"CreateSession">(protocol, () => server, SessionService);
  const audit = clientFor<"ListEvents">(protocol, () => server, AuditService);

  /** A user with a password change by code, a session, and a reset code still open. */
  async function history() {
    const userId = ok(await users.call("AddHumanUser", humanUser(), users.admin)).userId as string;
    const code = ok(await users.call("PasswordReset", { userId, returnCode: {} }, users.admin)).verificationCode;
    ok(await users.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD }, verificationCode: code }));
    const session = ok(await sessions.call("CreateSession", { checks: { user: { userId }, password: { password: OTHER_PASSWORD } } }));
    ok(await users.call("PasswordReset", { userId, sendLink: {} }, users.admin));
    return { userId, sessionId: session.sessionId as string, sessionToken: session.sessionToken as string };
  }

  it("lists a user's events in order: who, when, what, and no secret", async () => {
    const { userId } = await history();
    const events = ok(await audit.call("ListEvents", { aggregateId: userId }, users.admin)).events.map((e: any) => ({
      ...e,
      payload: plain(e.payload),
    }));
    expect(events.map((e: any) => [e.sequence, e.type, e.creator])).toEqual([
      ["1", "user.human.added", "bootstrap-admin"],
      ["2", "user.human.password.code.added", "bootstrap-admin"],
      ["3", "user.human.password.changed", "anonymous"],
      ["4", "user.human.password.code.added", "bootstrap-admin"],
    ]);
    expect(events[0]).toMatchObject({ aggregateType: "user", aggregateId: userId, resourceOwner: expect.stringMatching(/^\d+$/) });
    expect(events[0].creationDate).toBeGreaterThan(0);
    expect(events[0].payload).toMatchObject({ username: expect.any(String), email: expect.stringContaining("@") });
    expect(events[2].payload).toMatchObject({ method: "verification_code", changeRequired: false });
    for (const event of events) expect(Object.keys(event.payload ?? {}).filter((k) => /hash|digest|linkId/i.test(k))).toEqual([]);
    // Paged by position: the rest after the second.
    const rest = ok(await audit.call("ListEvents", { aggregateId: userId, afterPosition: events[1].position, limit: 1 }, users.admin));
    expect(rest.events.map((e: any) => e.sequence)).toEqual(["3"]);
  });

  it("needs events.read", async () => {
    const { sessionToken } = await history();
    failure(await audit.call("ListEvents", {}, sessionToken), "permission_denied");
    failure(await audit.call("ListEvents", {}), "unauthenticated");
    failure(await audit.call("ListEvents", { aggregateId: "not an id!" }, users.admin), "invalid_argument");
  });
});

describe("following the whole log", () => {
  it("reads every event once, a page at a time, and never a hash, digest or sealed value", async () => {
    const json = { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` };
    const list = async (query: string) => {
      const answer = await fetch(`${server.baseUrl}/latchkey/v1/events?${query}`, { headers: json });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { events?: Array<{ position: string; payload?: unknown }> };
    };
    const userId = (
      (await (
        await fetch(`${server.baseUrl}/v2/users/human`, { method: "POST", headers: json, body: JSON.stringify(humanUser()) })
      ).json()) as {
        userId: string;
      }
    ).userId;
    await fetch(`${server.baseUrl}/v2/sessions`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }),
    });
    await fetch(`${server.baseUrl}/v2/users/${userId}/password_reset`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ sendLink: {} }),
    });

    const followed: Array<{ position: string; payload?: unknown }> = [];
    for (let after = "0"; ;) {
      const page = (await list(`afterPosition=${after}&limit=3`)).events ?? [];
      if (page.length === 0) break;
      followed.push(...page);
      after = page[page.length - 1]!.position;
    }
    const all = await storeRows<{ position: number; payload: string }>(
      server.dataDir,
      `SELECT position, payload FROM events ORDER BY position`,
    );
    expect(followed.map((e) => Number(e.position)).sort((a, b) => a - b)).toEqual(all.map((e) => e.position));
    // Every value the stored payloads hold under a secret field, and none of them in what was read.
    const secrets = all.flatMap((e) =>
      Object.entries(JSON.parse(e.payload) as Record<string, unknown>)
        .filter(([key]) => /hash|digest|sealed|linkId/i.test(key))
        .map(([, value]) => String(value)),
    );
    expect(secrets.length).toBeGreaterThan(3);
    const text = JSON.stringify(followed);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/\$2[aby]\$|bcrypt-sha384/);
  });
});
