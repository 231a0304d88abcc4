import { expect, it } from "vitest";
import { PasswordService } from "../gen/latchkey/password/v1/password_service_pb.js";
import { SettingsService } from "../gen/zitadel/settings/v2/settings_service_pb.js";
import { createRpcClient } from "../test/helpers/clients.js";
import { ok, unique } from "../test/helpers/fixtures.js";
import { addKnownUser, inPairs } from "../test/helpers/login-timing.js";
import { mailTo, startSmtpSink } from "../test/helpers/mail.js";
import { startServer, untilOutput } from "../test/helpers/server.js";
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
      const rounds = pick(60, 120);
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
      const HANDLED = '"msg":"public password reset request handled"';
      let handled = server.output().split(HANDLED).length - 1;
      /** One request and the next call's time; then, before the next round, its handling (and any mail) is awaited. */
      const round = async (loginName: string, mail?: string) => {
        const ms = await nextCallAfter(loginName);
        await untilOutput(server, HANDLED, ++handled);
        if (mail !== undefined) await smtp.next(mailTo(mail));
        for (let i = 0; i < 5; i++) ok(await settings.call("GetPasswordComplexitySettings", {}));
        return ms;
      };
      await round(known[rounds]!.loginName, known[rounds]!.email); // warm up
      let next = 0;
      const { knownMs, unknownMs, ratio } = await inPairs(
        rounds,
        () => {
          const user = known[next++]!;
          return round(user.loginName, user.email);
        },
        () => round(unique("nobody")),
      );
      report("forgot-timing", {
        known_ms: knownMs.toFixed(2),
        unknown_ms: unknownMs.toFixed(2),
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
