import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, createUserClient, PROTOCOLS } from "../helpers/clients.js";
import { eventTypes, storeRows } from "../helpers/database.js";
import { failure, humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let expiring: TestServer;
beforeAll(async () => {
  [server, expiring] = await Promise.all([startServer(), startServer({ env: { LATCHKEY_CODE_TTL: "1ms" } })]);
});
afterAll(async () => {
  await Promise.all([server.stop(), expiring.stop()]);
});

describe.each(PROTOCOLS)("SetPassword over %s", (protocol) => {
  const client = clientFor(protocol, () => server);

  async function newUser(password = STRONG_PASSWORD): Promise<string> {
    return ok(await client.call("AddHumanUser", humanUser({ password: { password } }), client.admin)).userId;
  }
  async function resetCode(userId: string): Promise<string> {
    return ok(await client.call("PasswordReset", { userId, returnCode: {} }, client.admin)).verificationCode;
  }
  const set = (userId: string, password: string, verification: Record<string, string> = {}, token?: string) =>
    client.call("SetPassword", { userId, newPassword: { password }, ...verification }, token);

  it("changes the password with the current one, and only the new one verifies afterwards", async () => {
    const userId = await newUser();
    const changed = ok(await set(userId, OTHER_PASSWORD, { currentPassword: STRONG_PASSWORD }, client.admin));
    expect(changed.details.sequence).toBe("2");
    expect(changed.details.resourceOwner).toMatch(/^\d+$/);
    failure(
      await set(userId, "Thr33-Password!", { currentPassword: STRONG_PASSWORD }, client.admin),
      "invalid_argument",
      "PASSWORD_INVALID",
    );
    ok(await set(userId, "Thr33-Password!", { currentPassword: OTHER_PASSWORD }, client.admin));
    const user = ok(await client.call("GetUserByID", { userId }, client.admin));
    // added, changed, check failed, check succeeded (the failure count resets), changed
    expect(user.details.sequence).toBe("5");
    expect(user.user.human.passwordChanged).toBe(user.details.changeDate);
  });

  it("lets a privileged caller set a password without verification, with change_required", async () => {
    const userId = await newUser();
    ok(await client.call("SetPassword", { userId, newPassword: { password: OTHER_PASSWORD, changeRequired: true } }, client.admin));
    const user = ok(await client.call("GetUserByID", { userId }, client.admin));
    expect(user.user.human.passwordChangeRequired).toBe(true);
    ok(await set(userId, "Thr33-Password!", { currentPassword: OTHER_PASSWORD }, client.admin));
  });

  it("refuses anonymous callers without a code", async () => {
    const userId = await newUser();
    failure(await set(userId, OTHER_PASSWORD), "unauthenticated");
    failure(await set(userId, OTHER_PASSWORD, { currentPassword: STRONG_PASSWORD }), "unauthenticated");
    failure(await set(userId, OTHER_PASSWORD, { currentPassword: STRONG_PASSWORD }, "not-a-token"), "unauthenticated");
  });

  it("refuses a new password that breaks the policy, listing every rule", async () => {
    const userId = await newUser();
    const error = failure(await set(userId, "nospecials", {}, client.admin), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
    expect(error.violations).toEqual([
      { field: "new_password.password", description: "must contain an upper case letter" },
      { field: "new_password.password", description: "must contain a number" },
      { field: "new_password.password", description: "must contain a symbol or punctuation character" },
    ]);
    const tooLong = "Aa1!".repeat(50) + "x";
    const long = failure(await set(userId, tooLong, {}, client.admin), "invalid_argument");
    expect(long.violations).toEqual([{ field: "new_password.password", description: "must be at most 200 characters long" }]);
    failure(await client.call("SetPassword", { userId }, client.admin), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
  });

  it("refuses a new password equal to the current one, to callers who know the user", async () => {
    const userId = await newUser();
    const error = failure(
      await set(userId, STRONG_PASSWORD, { currentPassword: STRONG_PASSWORD }, client.admin),
      "invalid_argument",
      "PASSWORD_UNCHANGED",
    );
    expect(error.message).toMatch(/differ/);
    failure(await set(userId, STRONG_PASSWORD, {}, client.admin), "invalid_argument", "PASSWORD_UNCHANGED");
  });

  it("lets a code holder set any password the policy allows, without telling what the passwords were", async () => {
    const userId = await newUser();
    // The current password is not compared with: the code's holder learns nothing about it.
    ok(await set(userId, STRONG_PASSWORD, { verificationCode: await resetCode(userId) }));
    ok(await set(userId, OTHER_PASSWORD, { currentPassword: STRONG_PASSWORD }, client.admin));
  });

  it("compares passwords in full: a shared 72-byte prefix does not verify", async () => {
    const prefix = "Aa1!".repeat(18); // 72 bytes
    const userId = await newUser(prefix + "tail-one");
    failure(
      await set(userId, OTHER_PASSWORD, { currentPassword: prefix + "tail-two" }, client.admin),
      "invalid_argument",
      "PASSWORD_INVALID",
    );
    failure(await set(userId, OTHER_PASSWORD, { currentPassword: prefix }, client.admin), "invalid_argument", "PASSWORD_INVALID");
    ok(await set(userId, prefix + "tail-two", { currentPassword: prefix + "tail-one" }, client.admin));
    ok(await set(userId, OTHER_PASSWORD, { currentPassword: prefix + "tail-two" }, client.admin));
  });

  it("answers NotFound for an unknown user to a caller allowed to know", async () => {
    failure(await set("no-such-user", OTHER_PASSWORD, {}, client.admin), "not_found", "USER_NOT_FOUND");
  });

  it("gives one answer to a code for an unknown user, for a user without a code, and a wrong code", async () => {
    const withCode = await newUser();
    await resetCode(withCode);
    const withoutCode = await newUser();
    const answers = [];
    for (const [userId, password] of [
      ["no-such-user", OTHER_PASSWORD],
      [withoutCode, OTHER_PASSWORD],
      [withCode, OTHER_PASSWORD],
      // Breaking the policy, or containing the user's names, tells nothing before the code is right.
      ["no-such-user", "weak"],
      [withoutCode, "Ada-Lovelace-1!"],
      [withCode, "weak"],
    ] as const) {
      answers.push(failure(await set(userId, password, { verificationCode: "ACDEFGHJKM" }), "invalid_argument", "CODE_INVALID"));
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.message).toBe("the verification code is wrong or no longer valid. Request a new one");
  });

  it("checks the policy, personal data included, once the code is right", async () => {
    const userId = await newUser();
    const code = await resetCode(userId);
    const error = failure(await set(userId, "Ada-Lovelace-1!", { verificationCode: code }), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
    expect(error.violations.map((v) => v.field)).toEqual(["new_password.password"]);
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: code }));
  });

  it("redeems a reset code once, anonymously", async () => {
    const userId = await newUser();
    const code = await resetCode(userId);
    expect(code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{10}$/);
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: code }));
    failure(await set(userId, "Thr33-Password!", { verificationCode: code }), "invalid_argument", "CODE_INVALID");
    ok(await set(userId, "Thr33-Password!", { currentPassword: OTHER_PASSWORD }, client.admin));
  });

  it("accepts a code typed in lower case", async () => {
    const userId = await newUser();
    const code = await resetCode(userId);
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: ` ${code.toLowerCase()} ` }));
  });

  it("answers a wrong code with InvalidArgument, and a stranger's wrong guesses never void the owner's code", async () => {
    const userId = await newUser();
    const code = await resetCode(userId);
    for (let i = 0; i < 12; i++) {
      failure(await set(userId, OTHER_PASSWORD, { verificationCode: "WRONGCODE3" }), "invalid_argument", "CODE_INVALID");
    }
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: code }));
  });

  it("voids the older code when a newer reset is requested", async () => {
    const userId = await newUser();
    const older = await resetCode(userId);
    const newer = await resetCode(userId);
    failure(await set(userId, OTHER_PASSWORD, { verificationCode: older }), "invalid_argument", "CODE_INVALID");
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: newer }));
  });

  it("voids an open code when the password is changed another way", async () => {
    const userId = await newUser();
    const code = await resetCode(userId);
    ok(await set(userId, OTHER_PASSWORD, { currentPassword: STRONG_PASSWORD }, client.admin));
    failure(await set(userId, "Thr33-Password!", { verificationCode: code }), "invalid_argument", "CODE_INVALID");
  });

  it("refuses an expired code", async () => {
    const expiringClient = createUserClient(protocol, expiring.baseUrl);
    try {
      const userId = ok(await expiringClient.call("AddHumanUser", humanUser(), expiring.adminToken)).userId;
      const code = ok(await expiringClient.call("PasswordReset", { userId, returnCode: {} }, expiring.adminToken)).verificationCode;
      await new Promise((resolve) => setTimeout(resolve, 5)); // let the 1 ms lifetime pass, even on a fast loopback
      const result = await expiringClient.call("SetPassword", {
        userId,
        newPassword: { password: OTHER_PASSWORD },
        verificationCode: code,
      });
      failure(result, "failed_precondition", "CODE_EXPIRED");
    } finally {
      expiringClient.close();
    }
  });

  it("records who changed the password and how, and never the password", async () => {
    const userId = await newUser();
    ok(await set(userId, OTHER_PASSWORD, { verificationCode: await resetCode(userId) }));
    expect(await eventTypes(server.dataDir, userId)).toEqual([
      "user.human.added",
      "user.human.password.code.added",
      "user.human.password.changed",
    ]);
    const [changed] = await storeRows<{ payload: string; creator: string }>(
      server.dataDir,
      `SELECT payload, creator FROM events WHERE aggregate_id = ? AND event_type = 'user.human.password.changed'`,
      [userId],
    );
    expect(JSON.parse(changed!.payload)).toMatchObject({ method: "verification_code", changeRequired: false });
    expect(changed!.creator).toBe("anonymous");
    expect(changed!.payload).not.toContain(OTHER_PASSWORD);
  });
});
