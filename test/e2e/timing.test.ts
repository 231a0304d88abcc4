import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_TIMING_ENV, loginTimes, TYPED_PASSWORDS } from "../helpers/login-timing.js";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: LOGIN_TIMING_ENV });
});
afterAll(async () => {
  await server.stop();
});

describe.each(TYPED_PASSWORDS)("a password check for an unknown login name, typing %s", (password) => {
  it("takes as long as one for a known name with a wrong password", { timeout: 60_000 }, async () => {
    const { knownMs, unknownMs } = await loginTimes(server, password, 11);
    // bcrypt at cost 10 takes tens of milliseconds: without the dummy compare, unknown names answer in ~1 ms.
    expect(knownMs).toBeGreaterThan(15);
    expect(unknownMs / knownMs).toBeGreaterThan(0.8);
    expect(unknownMs / knownMs).toBeLessThan(1.25);
  });
});
