import { expect, it } from "vitest";
import { PasswordService } from "../gen/latchkey/password/v1/password_service_pb.js";
import { SettingsService } from "../gen/zitadel/settings/v2/settings_service_pb.js";
import { createRpcClient } from "../test/helpers/clients.js";
import { ok, unique } from "../test/helpers/fixtures.js";
import { addKnownUser, median } from "../test/helpers/login-timing.js";
import { mailTo, startSmtpSink } from "../test/helpers/mail.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

it(
  "lets no anonymous caller time, by its own next call, whether a forgot-password request named a real account",
  { timeout: 600_000 },
  async () => {
    const smtp = await startSmtpSink();
    const server = await startServer({ env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    const resets = createRpcClient<"RequestPasswordReset">("connect-json", server.baseUrl, PasswordService);
    const settings = createRpcClient<"GetPasswordComplexitySettings">("connect-json", server.baseUrl, SettingsService);
    try {
      const rounds = pick(40, 120);
      const known: { loginName: string; email: string }[] = [];
      for (let i = 0; i < rounds + 1; i++) {
        const email = `${unique("forgot")}@example.com`;
        known.push({ loginName: (await addKnownUser(server, { email: { email } })).loginName, email });
      }
      /** The request, then at once the caller's next call: how long that one took. */
      const nextCallAfter = async (loginName: string) => {
        ok(await resets.call("RequestPasswordReset", { loginName }));
        const started = performance.now();
        ok(await settings.call("GetPasswordComplexitySettings", {}));
        return performance.now() - started;
      };
      const quiet = async () => {
        // Let the previous request's work (and mail) finish, so each round starts alike.
        for (let i = 0; i < 5; i++) ok(await settings.call("GetPasswordComplexitySettings", {}));
      };
      await nextCallAfter(known[rounds]!.loginName); // warm up
      const knownTimes: number[] = [];
      const unknownTimes: number[] = [];
      for (let i = 0; i < rounds; i++) {
        knownTimes.push(await nextCallAfter(known[i]!.loginName));
        await smtp.next(mailTo(known[i]!.email));
        await quiet();
        unknownTimes.push(await nextCallAfter(unique("nobody")));
        await quiet();
      }
      const ratio = median(unknownTimes) / median(knownTimes);
      report("forgot-timing", {
        known_ms: median(knownTimes).toFixed(2),
        unknown_ms: median(unknownTimes).toFixed(2),
        ratio: ratio.toFixed(3),
      });
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.25);
    } finally {
      resets.close();
      settings.close();
      await server.stop();
      await smtp.close();
    }
  },
);
