import { expect, it } from "vitest";
import {
  addKnownUser,
  concurrentLoginTimes,
  LOGIN_TIMING_ENV,
  loginTimes,
  serverWithEveryStoredHash,
  TYPED_PASSWORDS,
} from "../test/helpers/login-timing.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const within = (ratio: number, what: string) => {
  expect(ratio, what).toBeGreaterThan(0.8);
  expect(ratio, what).toBeLessThan(1.25);
};

it(
  "answers a login for an unknown name as slowly as for a known one, whatever script the password is typed in and whatever hash is stored",
  { timeout: 900_000 },
  async () => {
    const { server, knownNames } = await serverWithEveryStoredHash();
    try {
      const figures: Record<string, string> = {};
      for (const [i, password] of TYPED_PASSWORDS.entries()) {
        const { ratio } = await loginTimes(server, password, pick(15, 60));
        figures[`password${i}_unknown_to_known`] = ratio.toFixed(3);
        within(ratio, password);
      }
      for (const [kind, loginName] of Object.entries(knownNames)) {
        const { ratio } = await loginTimes(server, "Wrong-Passw0rd!", pick(15, 60), loginName);
        figures[`${kind}_unknown_to_known`] = ratio.toFixed(3);
        within(ratio, kind);
      }
      report("login-timing", figures);
    } finally {
      await server.stop();
    }
  },
);

it("answers concurrent wrong logins for a real name side by side, as for an unknown one", { timeout: 600_000 }, async () => {
  // Two hash threads, as on a two-core machine: a per-user queue would halve the real name's pace.
  const server = await startServer({ env: { ...LOGIN_TIMING_ENV, LATCHKEY_HASH_CONCURRENCY: "2" } });
  try {
    const { loginName } = await addKnownUser(server);
    const { knownMs, unknownMs, ratio } = await concurrentLoginTimes(server, loginName, 10, pick(5, 15));
    report("concurrent-login-timing", {
      known_ms: knownMs.toFixed(0),
      unknown_ms: unknownMs.toFixed(0),
      ratio: ratio.toFixed(3),
    });
    within(ratio, "10 concurrent wrong logins");
  } finally {
    await server.stop();
  }
});
