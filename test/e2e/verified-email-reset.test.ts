import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { clientFor, PROTOCOLS } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, humanUser, ok } from "../helpers/fixtures.js";
import { startServer, untilOutput, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_RESET_REQUIRES_VERIFIED_EMAIL: "true" } });
});
afterAll(() => server.stop());

const linksTo = async (userId: string) =>
  (
    await storeRows<{ n: number }>(server.dataDir, `SELECT COUNT(*) AS n FROM outbox WHERE user_id = ? AND channel <> 'internal'`, [userId])
  )[0]!.n;
const HANDLED = '"msg":"public password reset request handled"';
const handled = () => server.output().split(HANDLED).length - 1;

describe.each(PROTOCOLS)("LATCHKEY_RESET_REQUIRES_VERIFIED_EMAIL over %s", (protocol) => {
  const users = clientFor(protocol, () => server);
  const passwords = clientFor<"RequestPasswordReset">(protocol, () => server, PasswordService);
  const newUser = async (isVerified: boolean) => {
    const request = humanUser();
    const email = (request.email as { email: string }).email;
    const userId = ok(await users.call("AddHumanUser", { ...request, email: { email, isVerified } }, users.admin)).userId as string;
    return { userId, username: request.username as string };
  };

  it("sends a privileged reset link only to a verified address, and still returns codes", async () => {
    const unverified = await newUser(false);
    const refused = failure(
      await users.call("PasswordReset", { userId: unverified.userId, sendLink: {} }, users.admin),
      "failed_precondition",
    );
    expect([refused.reason, refused.message]).toEqual(["EMAIL_NOT_VERIFIED", "the user's e-mail address is not verified"]);
    ok(await users.call("PasswordReset", { userId: unverified.userId, returnCode: {} }, users.admin));
    const verified = await newUser(true);
    ok(await users.call("PasswordReset", { userId: verified.userId, sendLink: {} }, users.admin));
    expect([await linksTo(unverified.userId), await linksTo(verified.userId)]).toEqual([0, 1]);
  });

  it("has the public form send nothing to an unverified address, answering as for anyone", async () => {
    const unverified = await newUser(false);
    const verified = await newUser(true);
    const before = handled();
    for (const user of [unverified, verified]) {
      expect(await passwords.call("RequestPasswordReset", { loginName: user.username })).toEqual({ ok: true, body: {} });
    }
    await untilOutput(server, HANDLED, before + 2);
    expect([await linksTo(unverified.userId), await linksTo(verified.userId)]).toEqual([0, 1]);
  });
});
