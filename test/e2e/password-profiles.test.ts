import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { failure, humanUser, ok } from "../helpers/fixtures.js";
import { startServer, tempDataDir } from "../helpers/server.js";

describe("password policy profiles", () => {
  it("nist: 15 characters or more, no composition rules, the user's own data still refused; a setting overrides it", async () => {
    const [nist, tuned] = await Promise.all([
      startServer({ env: { LATCHKEY_PASSWORD_PROFILE: "nist" } }),
      startServer({ env: { LATCHKEY_PASSWORD_PROFILE: "nist", LATCHKEY_PASSWORD_MIN_LENGTH: "20" } }),
    ]);
    try {
      const settings = createRpcClient<"GetPasswordComplexitySettings">("connect-json", nist.baseUrl, SettingsService);
      expect(ok(await settings.call("GetPasswordComplexitySettings", {})).settings).toMatchObject({ minLength: "15" });
      expect(ok(await settings.call("GetPasswordComplexitySettings", {})).settings.requiresUppercase).toBeUndefined();
      settings.close();
      const users = createUserClient("connect-json", nist.baseUrl);
      const add = (password: string) => users.call("AddHumanUser", humanUser({ password: { password } }), nist.adminToken);
      ok(await add("correct horse battery staple"));
      ok(await add("1234 5678 9012 3456"));
      failure(await add("Sh0rt-Rich!"), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
      // The user's own data is still refused, however long.
      const personal = humanUser();
      personal.password = { password: `${personal.username as string} forever and ever` };
      failure(await users.call("AddHumanUser", personal, nist.adminToken), "invalid_argument", "PASSWORD_POLICY_VIOLATED");
      users.close();
      const tunedSettings = createRpcClient<"GetPasswordComplexitySettings">("connect-json", tuned.baseUrl, SettingsService);
      expect(ok(await tunedSettings.call("GetPasswordComplexitySettings", {})).settings.minLength).toBe("20");
      tunedSettings.close();
    } finally {
      await Promise.all([nist.stop(), tuned.stop()]);
    }
  });

  it("refuses a profile it does not know, naming the setting", async () => {
    await expect(startServer({ env: { LATCHKEY_PASSWORD_PROFILE: "lax" } })).rejects.toThrow(/LATCHKEY_PASSWORD_PROFILE/);
  });
});

describe("a breached-password list", () => {
  it("refuses a password found in it, with its own message, and a file it cannot read at start", async () => {
    const listed = "Listed-Passw0rd-2024!";
    const dir = tempDataDir();
    const path = join(dir, "pwned.txt");
    const hashes = [listed, "Another-0ne!"].map((p) => createHash("sha1").update(p).digest("hex").toUpperCase()).sort();
    writeFileSync(path, hashes.map((h) => `${h}:7\r\n`).join(""));
    const server = await startServer({ env: { LATCHKEY_PASSWORD_BLOCKLIST_FILE: path } });
    try {
      const users = createUserClient("connect-json", server.baseUrl);
      const refused = failure(
        await users.call("AddHumanUser", humanUser({ password: { password: listed } }), server.adminToken),
        "invalid_argument",
        "PASSWORD_POLICY_VIOLATED",
      );
      expect(JSON.stringify(refused.violations)).toContain("exposed in data breaches");
      const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId;
      failure(
        await users.call("SetPassword", { userId, newPassword: { password: listed } }, server.adminToken),
        "invalid_argument",
        "PASSWORD_POLICY_VIOLATED",
      );
      ok(await users.call("SetPassword", { userId, newPassword: { password: "Not-Listed-2024!" } }, server.adminToken));
      users.close();
    } finally {
      await server.stop();
    }
    writeFileSync(join(dir, "wrong.txt"), "password\n");
    await expect(startServer({ env: { LATCHKEY_PASSWORD_BLOCKLIST_FILE: join(dir, "wrong.txt") } })).rejects.toThrow(
      /LATCHKEY_PASSWORD_BLOCKLIST_FILE cannot be used/,
    );
  });
});
