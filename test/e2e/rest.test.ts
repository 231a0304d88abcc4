import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { humanUser, OTHER_PASSWORD, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

const ORIGIN = "https://app.example.com";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_CORS_ORIGINS: ORIGIN, LATCHKEY_MAX_PASSWORD_ATTEMPTS: "3" } });
});
afterAll(async () => {
  await server.stop();
});

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A REST call as a script written against ZITADEL's REST documentation makes it: plain fetch. */
async function rest(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = server.adminToken,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined && { "content-type": "application/json" }),
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...headers,
    },
    ...(body !== undefined && { body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers } satisfies Answer;
}

/** grpc-gateway's error body, with our ErrorInfo among its details. */
function expectError(answer: Answer, status: number, code: number, reason?: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
  expect(answer.body).toMatchObject({ code, message: expect.any(String), details: expect.any(Array) });
  if (reason !== undefined) {
    expect(answer.body.details).toContainEqual({ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason, domain: "latchkey" });
  }
  return answer.body;
}

async function addUser(overrides: Record<string, unknown> = {}) {
  const request = humanUser(overrides);
  const added = await rest("POST", "/v2/users/human", request);
  expect(added.status).toBe(200);
  return { userId: added.body.userId as string, username: request.username as string, added };
}

describe("ZITADEL's REST paths", () => {
  it("adds a user at POST /v2/users/human and reads it at GET /v2/users/{user_id}", async () => {
    const { userId, username, added } = await addUser();
    expect(added.body).toMatchObject({
      userId: expect.stringMatching(/^\d+$/),
      details: { sequence: "1", resourceOwner: expect.any(String) },
    });
    expect(Date.parse(added.body.details.changeDate)).not.toBeNaN();
    expect(added.body.details.changeDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/); // RFC 3339
    const read = await rest("GET", `/v2/users/${userId}`);
    expect(read.status).toBe(200);
    expect(read.body.user).toMatchObject({ userId, username, human: { profile: { givenName: "Ada" } } });
    expect(read.body.details.sequence).toBe("1");
  });

  it("changes a password with the bodies ZITADEL's documentation shows, by current password and by code", async () => {
    const { userId } = await addUser();
    const byCurrent = await rest("POST", `/v2/users/${userId}/password`, {
      newPassword: { password: OTHER_PASSWORD, changeRequired: false },
      currentPassword: STRONG_PASSWORD,
    });
    expect(byCurrent.status).toBe(200);
    expect(byCurrent.body.details.sequence).toBe("2");

    const reset = await rest("POST", `/v2/users/${userId}/password_reset`, { returnCode: {} });
    expect(reset.status).toBe(200);
    const byCode = await rest(
      "POST",
      `/v2/users/${userId}/password`,
      { newPassword: { password: STRONG_PASSWORD, changeRequired: false }, verificationCode: reset.body.verificationCode },
      null,
    );
    expect(byCode.status).toBe(200);
    expect(byCode.body.details.sequence).toBe("4");
  });

  it("takes proto field names as well as JSON names, and ignores fields it does not know", async () => {
    const { userId } = await addUser();
    const changed = await rest("POST", `/v2/users/${userId}/password`, {
      new_password: { password: OTHER_PASSWORD, change_required: true },
      current_password: STRONG_PASSWORD,
      someFieldZitadelMayAddLater: { nested: [1, 2, 3] },
    });
    expect(changed.status).toBe(200);
    // The path variable wins over a user_id in the body.
    const elsewhere = await rest("POST", `/v2/users/${userId}/lock`, { userId: "someone-else" });
    expect(elsewhere.status).toBe(200);
    expect((await rest("GET", `/v2/users/${userId}`)).body.user.state).toBe("USER_STATE_LOCKED");
    expect((await rest("POST", `/v2/users/${userId}/unlock`, {})).status).toBe(200);
    expect((await rest("GET", `/v2/users/${userId}`)).body.user.state).toBe("USER_STATE_ACTIVE");
  });

  it("deactivates and reactivates a user on ZITADEL's paths", async () => {
    const { userId } = await addUser();
    const deactivated = await rest("POST", `/v2/users/${userId}/deactivate`, {});
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.details.sequence).toBe("2");
    expect((await rest("GET", `/v2/users/${userId}`)).body.user.state).toBe("USER_STATE_INACTIVE");
    const again = await rest("POST", `/v2/users/${userId}/deactivate`, {});
    expect([again.status, again.body.message]).toEqual([400, "the user is already deactivated"]);
    expect((await rest("POST", `/v2/users/${userId}/reactivate`, {})).status).toBe(200);
    expect((await rest("GET", `/v2/users/${userId}`)).body.user.state).toBe("USER_STATE_ACTIVE");
  });

  it("creates a session at POST /v2/sessions with 201, reads it with its token as a query parameter, and deletes it", async () => {
    const { userId } = await addUser();
    const created = await rest("POST", "/v2/sessions", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }, null);
    expect(created.status).toBe(201);
    const { sessionId, sessionToken } = created.body;
    const read = await rest("GET", `/v2/sessions/${sessionId}?sessionToken=${encodeURIComponent(sessionToken)}`, undefined, null);
    expect(read.status).toBe(200);
    expect(read.body.session).toMatchObject({ id: sessionId, sequence: "1" });
    // Without the token an anonymous caller may not read it.
    expectError(await rest("GET", `/v2/sessions/${sessionId}`, undefined, null), 401, 16);
    const deleted = await rest("DELETE", `/v2/sessions/${sessionId}`, { sessionToken }, null);
    expect(deleted.status).toBe(200);
    expectError(await rest("GET", `/v2/sessions/${sessionId}?session_token=${encodeURIComponent(sessionToken)}`, undefined, null), 404, 5);
  });

  it("serves the settings, binding nested query parameters to fields", async () => {
    const complexity = await rest("GET", "/v2/settings/password/complexity?ctx.orgId=123", undefined, null);
    expect(complexity.status).toBe(200);
    expect(complexity.body.settings).toMatchObject({ minLength: "8", requiresUppercase: true });
    expect((await rest("GET", "/v2/settings/lockout?ctx.instance=true", undefined, null)).body.settings.maxPasswordAttempts).toBe("3");
    expectError(await rest("GET", "/v2/settings/lockout?ctx.instance=maybe", undefined, null), 400, 3);
    expectError(await rest("GET", "/v2/settings/lockout?ctx.instance=true&ctx.orgId=1", undefined, null), 400, 3);
  });

  it("finds users at POST /v2/users, and shows an open reset at GET /latchkey/v1/users/{user_id}/password_reset", async () => {
    const { userId, username } = await addUser();
    const found = await rest("POST", "/v2/users", {
      queries: [{ loginNameQuery: { loginName: username.toUpperCase(), method: "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE" } }],
    });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ details: { totalResult: "1" }, result: [{ userId, username }] });
    expect((await rest("GET", `/latchkey/v1/users/${userId}/password_reset`)).body).toEqual({});
    await rest("POST", `/v2/users/${userId}/password_reset`, { returnCode: {} });
    const open = await rest("GET", `/latchkey/v1/users/${userId}/password_reset`);
    expect(open.body.reset).toMatchObject({ channel: "RESET_CHANNEL_RETURNED", expiresAt: expect.stringMatching(/Z$/) });
    // The path's user, not the body's, under either of the field's names.
    const other = await addUser();
    expect((await rest("POST", `/v2/users/${other.userId}/lock`, { user_id: userId })).status).toBe(200);
    expect((await rest("GET", `/v2/users/${other.userId}`)).body.user.state).toBe("USER_STATE_LOCKED");
    expect((await rest("GET", `/v2/users/${userId}`)).body.user.state).toBe("USER_STATE_ACTIVE");
  });

  it("serves our own methods under /latchkey/v1", async () => {
    const answer = await rest("POST", "/latchkey/v1/password_reset_requests", { loginName: `${unique()}@example.com` }, null);
    expect(answer).toMatchObject({ status: 200, body: {} });
  });
});

describe("errors on REST paths, as grpc-gateway writes them", () => {
  it("maps every status the methods answer with", async () => {
    const { userId, username } = await addUser();
    // 400 InvalidArgument, with the field that is wrong.
    const invalid = expectError(
      await rest("POST", "/v2/users/human", { profile: {}, email: { email: "not-an-address" } }),
      400,
      3,
      "INVALID_ARGUMENT",
    );
    expect(invalid.details.find((d: any) => d["@type"] === "type.googleapis.com/google.rpc.BadRequest").fieldViolations).toContainEqual(
      expect.objectContaining({ field: "email.email" }),
    );
    // 400 for a body that is not the method's JSON.
    expectError(await rest("POST", `/v2/users/${userId}/password`, "{not json"), 400, 3);
    expectError(await rest("POST", `/v2/users/${userId}/password`, { newPassword: { password: 42 } }), 400, 3);
    expectError(await rest("POST", `/v2/users/${userId}/password`, [1, 2]), 400, 3);
    // 401, 403, 404, 409.
    expectError(await rest("GET", `/v2/users/${userId}`, undefined, null), 401, 16, "UNAUTHENTICATED");
    expectError(await rest("GET", `/v2/users/${userId}`, undefined, "not-a-token"), 401, 16);
    const session = await rest("POST", "/v2/sessions", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }, null);
    const other = await addUser();
    expectError(await rest("GET", `/v2/users/${other.userId}`, undefined, session.body.sessionToken), 403, 7, "PERMISSION_DENIED");
    expectError(await rest("GET", "/v2/users/123456789"), 404, 5, "USER_NOT_FOUND");
    expectError(await rest("POST", "/v2/users/human", humanUser({ username })), 409, 6, "USERNAME_TAKEN");
    // 400 FailedPrecondition: a locked user, with ZITADEL's credentials-check detail on the way there.
    for (let i = 0; i < 3; i++) {
      const failed = expectError(
        await rest("POST", "/v2/sessions", { checks: { user: { userId }, password: { password: "Wrong-Passw0rd!" } } }, null),
        400,
        3,
        "LOGIN_FAILED",
      );
      expect(failed.details).toContainEqual(
        expect.objectContaining({ "@type": "type.googleapis.com/zitadel.v1.CredentialsCheckError", failedAttempts: i + 1 }),
      );
    }
    expectError(
      await rest("POST", `/v2/users/${userId}/password`, { newPassword: { password: OTHER_PASSWORD }, currentPassword: STRONG_PASSWORD }),
      400,
      9,
      "USER_LOCKED",
    );
  });

  it("refuses request bodies that are not JSON with 415, acting on nothing: no page elsewhere can send them without a preflight", async () => {
    const { userId } = await addUser();
    const guess = JSON.stringify({ checks: { user: { userId }, password: { password: "Wrong-Passw0rd!" } } });
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
    ]) {
      expectError(await rest("POST", "/v2/sessions", guess, null, { "content-type": type }), 415, 3);
      const reset = JSON.stringify({ loginName: `nobody-${type.length}@example.com` });
      expectError(await rest("POST", "/latchkey/v1/password_reset_requests", reset, null, { "content-type": type }), 415, 3);
    }
    expectError(await rest("POST", "/v2/sessions", guess, null, { "content-type": "" }), 415, 3);
    // None of the guesses counted: the first real failure is the first.
    const counted = expectError(await rest("POST", "/v2/sessions", JSON.parse(guess), null), 400, 3, "LOGIN_FAILED");
    expect(counted.details).toContainEqual(expect.objectContaining({ failedAttempts: 1 }));
    expect((await rest("POST", "/v2/sessions", guess, null, { "content-type": "application/json; charset=UTF-8" })).status).toBe(400);
    expect((await rest("GET", `/v2/users/${userId}`)).status).toBe(200);
  });

  it("never lets a query parameter rebind a field the path bound, under either of its names", async () => {
    const a = await addUser();
    const b = await addUser();
    for (const parameter of ["userId", "user_id"]) {
      const read = await rest("GET", `/v2/users/${a.userId}?${parameter}=${b.userId}`);
      expect(read.status).toBe(200);
      expect(read.body.user.userId).toBe(a.userId);
    }
  });

  it("answers 405 for a known path with another verb, and 404 for a path it does not serve", async () => {
    const wrongVerb = expectError(await rest("DELETE", "/v2/users/human"), 405, 12);
    expect(wrongVerb.message).toBe("Method Not Allowed");
    // GET /v2/users/human is GET /v2/users/{user_id} for a user called "human", as in grpc-gateway.
    expectError(await rest("GET", "/v2/users/human"), 404, 5, "USER_NOT_FOUND");
    expect((await rest("PUT", "/v2/sessions/123")).status).toBe(405);
    expect((await rest("GET", "/v2/nothing/here")).status).toBe(404);
  });

  it("keeps the size limit, and refuses compressed bodies it cannot read", async () => {
    const { userId } = await addUser();
    const huge = { newPassword: { password: "x".repeat(300_000) } };
    expectError(await rest("POST", `/v2/users/${userId}/password`, huge), 429, 8);
    const gzipped = gzipSync(JSON.stringify({ newPassword: { password: OTHER_PASSWORD } }));
    expectError(await rest("POST", `/v2/users/${userId}/password`, gzipped, server.adminToken, { "content-encoding": "gzip" }), 400, 3);
    // The server goes on serving.
    expect((await rest("GET", `/v2/users/${userId}`)).status).toBe(200);
  });

  it("answers a CORS preflight on a REST path, and marks the answers for the allowed origin", async () => {
    const preflight = await fetch(`${server.baseUrl}/v2/users/human`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/i);
    const answer = await rest("GET", "/v2/settings/lockout", undefined, null, { origin: ORIGIN });
    expect(answer.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    const stranger = await rest("GET", "/v2/settings/lockout", undefined, null, { origin: "https://evil.example" });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("rate limits on REST paths", () => {
  it("hold as on the other paths", async () => {
    const limited = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "3" } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await fetch(`${limited.baseUrl}/latchkey/v1/password_reset_requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ loginName: `someone-${i}@example.com` }),
        });
        statuses.push(answer.status);
        if (answer.status === 429) expect(await answer.json()).toMatchObject({ code: 8 });
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await limited.stop();
    }
  });
});
