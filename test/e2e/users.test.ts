import bcrypt from "bcrypt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { failure, humanUser, ok, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

describe.each(PROTOCOLS)("AddHumanUser and GetUserByID over %s", (protocol) => {
  const client = clientFor(protocol, () => server);

  it("creates a user and reads it back with details", async () => {
    const before = Date.now();
    const request = humanUser({
      profile: { givenName: "Grace", familyName: "Hopper", nickName: "Amazing", gender: "GENDER_FEMALE", preferredLanguage: "en" },
      phone: { phone: "+41791234567" },
    });
    const added = ok(await client.call("AddHumanUser", request, client.admin));
    expect(added.userId).toMatch(/^\d{18}$/);
    expect(added.details.sequence).toBe("1");
    expect(added.details.changeDate).toBeGreaterThanOrEqual(before - 1000);
    expect(added.details.changeDate).toBeLessThanOrEqual(Date.now() + 1000);
    expect(added.details.resourceOwner).toMatch(/^\d+$/);

    const got = ok(await client.call("GetUserByID", { userId: added.userId }, client.admin));
    expect(got.details).toMatchObject({ sequence: "1", resourceOwner: added.details.resourceOwner, changeDate: added.details.changeDate });
    expect(got.user).toMatchObject({
      userId: added.userId,
      state: "USER_STATE_ACTIVE",
      username: request.username,
      loginNames: [request.username],
      preferredLoginName: request.username,
    });
    expect(got.user.human).toMatchObject({
      userId: added.userId,
      username: request.username,
      profile: { givenName: "Grace", familyName: "Hopper", nickName: "Amazing", gender: "GENDER_FEMALE", preferredLanguage: "en" },
      email: { email: (request.email as { email: string }).email },
      phone: { phone: "+41791234567" },
      passwordChanged: added.details.changeDate,
    });
    expect(got.user.human.passwordChangeRequired).toBeUndefined(); // false is the proto default
  });

  it("takes the given user id, uses the e-mail as username by default, and records change_required", async () => {
    const userId = unique("id");
    const email = `${unique()}@Example.com`;
    const request = humanUser({
      userId,
      username: undefined,
      email: { email, isVerified: true },
      password: { password: STRONG_PASSWORD, changeRequired: true },
    });
    const added = ok(await client.call("AddHumanUser", request, client.admin));
    expect(added.userId).toBe(userId);
    const got = ok(await client.call("GetUserByID", { userId }, client.admin));
    expect(got.user.username).toBe(email);
    expect(got.user.human.email).toEqual({ email, isVerified: true });
    expect(got.user.human.passwordChangeRequired).toBe(true);
  });

  it("creates a user without a password", async () => {
    const request = humanUser({ password: undefined });
    const added = ok(await client.call("AddHumanUser", request, client.admin));
    const got = ok(await client.call("GetUserByID", { userId: added.userId }, client.admin));
    expect(got.user.human.passwordChanged).toBeUndefined();
  });

  it("refuses a duplicate username or e-mail, case-insensitively, and a duplicate id", async () => {
    const first = humanUser({ userId: unique("id") });
    ok(await client.call("AddHumanUser", first, client.admin));
    const sameName = humanUser({ username: (first.username as string).toUpperCase() });
    failure(await client.call("AddHumanUser", sameName, client.admin), "already_exists", "USERNAME_TAKEN");
    const sameEmail = humanUser({ email: { email: (first.email as { email: string }).email.toUpperCase() } });
    failure(await client.call("AddHumanUser", sameEmail, client.admin), "already_exists", "EMAIL_TAKEN");
    const sameId = humanUser({ userId: first.userId });
    failure(await client.call("AddHumanUser", sameId, client.admin), "already_exists", "USER_ID_TAKEN");
  });

  it("lists every invalid field at once", async () => {
    const request = {
      username: "has space",
      profile: { givenName: "", familyName: "" },
      email: { email: "not-an-email" },
      password: { password: "short" },
    };
    const error = failure(await client.call("AddHumanUser", request, client.admin), "invalid_argument", "INVALID_ARGUMENT");
    const fields = error.violations.map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining(["username", "profile.given_name", "profile.family_name", "email.email", "password.password"]),
    );
    for (const v of error.violations) expect(v.description.length).toBeGreaterThan(3);
  });

  it("refuses a missing profile and e-mail", async () => {
    const error = failure(await client.call("AddHumanUser", {}, client.admin), "invalid_argument");
    expect(error.violations.map((v) => v.field)).toEqual(
      expect.arrayContaining(["profile.given_name", "profile.family_name", "email.email"]),
    );
  });

  it("reports every broken password rule", async () => {
    const error = failure(
      await client.call("AddHumanUser", humanUser({ password: { password: "abc" } }), client.admin),
      "invalid_argument",
      "PASSWORD_POLICY_VIOLATED",
    );
    expect(error.violations.map((v) => v.description)).toEqual([
      "must be at least 8 characters long",
      "must contain an upper case letter",
      "must contain a number",
      "must contain a symbol or punctuation character",
    ]);
    expect(error.violations.every((v) => v.field === "password.password")).toBe(true);
  });

  it("imports a bcrypt hash that is not a bcrypt hash: invalid argument", async () => {
    const error = failure(
      await client.call("AddHumanUser", humanUser({ password: undefined, hashedPassword: { hash: "md5:abc" } }), client.admin),
      "invalid_argument",
    );
    expect(error.violations[0]!.field).toBe("hashed_password.hash");
  });

  it("refuses an e-mail address that a mail library could read as more than one recipient", async () => {
    for (const email of ["victim,attacker@evil.example", "victim<attacker@evil.example>", "Victim <victim@example.com>"]) {
      const error = failure(await client.call("AddHumanUser", humanUser({ email: { email } }), client.admin), "invalid_argument");
      expect(error.violations).toEqual([{ field: "email.email", description: "must be a valid e-mail address" }]);
    }
  });

  it("refuses an imported hash whose cost would tie up the hash threads", async () => {
    // The test servers hash at cost 4, so at most cost 6 is imported; 31 would take days a compare.
    const hash = "$2b$31$" + "a".repeat(53);
    const error = failure(
      await client.call("AddHumanUser", humanUser({ password: undefined, hashedPassword: { hash } }), client.admin),
      "invalid_argument",
    );
    expect(error.violations).toEqual([
      { field: "hashed_password.hash", description: "must be a bcrypt hash in modular crypt format (2a or 2b or 2y with cost 4 to 6)" },
    ]);
  });

  it("accepts an existing organization by id or domain and refuses an unknown one", async () => {
    const first = ok(await client.call("AddHumanUser", humanUser(), client.admin));
    const orgId = first.details.resourceOwner as string;
    const byId = ok(await client.call("AddHumanUser", humanUser({ organization: { orgId } }), client.admin));
    expect(byId.details.resourceOwner).toBe(orgId);
    const byDomain = ok(await client.call("AddHumanUser", humanUser({ organization: { orgDomain: "default" } }), client.admin));
    expect(byDomain.details.resourceOwner).toBe(orgId);
    failure(await client.call("AddHumanUser", humanUser({ organization: { orgId: "404" } }), client.admin), "not_found", "ORG_NOT_FOUND");
  });

  it("answers NotFound for an unknown user id and InvalidArgument for an empty one", async () => {
    failure(await client.call("GetUserByID", { userId: "no-such-user" }, client.admin), "not_found", "USER_NOT_FOUND");
    failure(await client.call("GetUserByID", { userId: "" }, client.admin), "invalid_argument");
  });

  it("needs a valid bearer token", async () => {
    failure(await client.call("AddHumanUser", humanUser()), "unauthenticated");
    failure(await client.call("GetUserByID", { userId: "x" }), "unauthenticated");
    failure(await client.call("GetUserByID", { userId: "x" }, "wrong-token"), "unauthenticated");
    failure(await client.call("AddHumanUser", humanUser(), client.admin + "x"), "unauthenticated");
  });

  it("imports a standard bcrypt hash ($2b$ and $2y$) that verifies afterwards", async () => {
    for (const prefix of ["$2b$", "$2y$"]) {
      const hash = bcrypt.hashSync(STRONG_PASSWORD, 5).replace(/^\$2b\$/, prefix);
      const added = ok(await client.call("AddHumanUser", humanUser({ password: undefined, hashedPassword: { hash } }), client.admin));
      const wrong = await client.call(
        "SetPassword",
        { userId: added.userId, newPassword: { password: "N3w-Password!" }, currentPassword: "Wrong-Pass1!" },
        client.admin,
      );
      failure(wrong, "invalid_argument", "PASSWORD_INVALID");
      ok(
        await client.call(
          "SetPassword",
          { userId: added.userId, newPassword: { password: "N3w-Password!" }, currentPassword: STRONG_PASSWORD },
          client.admin,
        ),
      );
    }
  });
});
