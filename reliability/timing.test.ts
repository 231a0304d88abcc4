import { expect, it } from "vitest";
import { LOGIN_TIMING_ENV, loginTimes, TYPED_PASSWORDS } from "../test/helpers/login-timing.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

it(
  "answers a login for an unknown name as slowly as for a known one, whatever script the password is typed in",
  { timeout: 600_000 },
  async () => {
    const server = await startServer({ env: LOGIN_TIMING_ENV });
    try {
      const figures: Record<string, string> = {};
      for (const [i, password] of TYPED_PASSWORDS.entries()) {
        const { knownMs, unknownMs } = await loginTimes(server, password, pick(15, 60));
        const ratio = unknownMs / knownMs;
        figures[`password${i}_unknown_to_known`] = ratio.toFixed(3);
        expect(ratio, password).toBeGreaterThan(0.85);
        expect(ratio, password).toBeLessThan(1.15);
      }
      report("login-timing", figures);
    } finally {
      await server.stop();
    }
  },
);
