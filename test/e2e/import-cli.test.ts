import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserClient } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { failure, ok } from "../helpers/fixtures.js";
import { createSession, login } from "../helpers/logins.js";
import { runCli, startServer, tempDataDir, type TestServer } from "../helpers/server.js";

const EXPORTS = new URL("../fixtures/imports/", import.meta.url).pathname;
interface Case {
  id?: string;
  at?: string;
  password?: string | null;
  outcome: string;
  locked?: boolean;
  phone?: string;
}
const EXPECTED = JSON.parse(readFileSync(join(EXPORTS, "expected.json"), "utf8")) as Record<string, Case[]> & {
  firebaseConfig: { signerKey: string; saltSeparator: string; rounds: number; memCost: number };
};
const FILES: Record<string, string> = {
  ndjson: "users.ndjson",
  keycloak: "keycloak-realm.json",
  auth0: "auth0-users.ndjson",
  firebase: "firebase-users.json",
  django: "django-users.json",
  kratos: "kratos-identities.json",
};
const firebaseFlags = () => {
  const c = EXPECTED.firebaseConfig;
  return [
    "--firebase-signer-key",
    c.signerKey,
    "--firebase-salt-separator",
    c.saltSeparator,
    "--firebase-rounds",
    String(c.rounds),
    "--firebase-mem-cost",
    String(c.memCost),
  ];
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_BCRYPT_COST: "9" } }); // the dearest sample hashes fit
});
afterAll(() => server.stop());

function importFile(format: string, extra: string[] = [], token = server.adminToken) {
  const args = [
    "import-users",
    join(EXPORTS, FILES[format]!),
    "--format",
    format,
    "--url",
    server.baseUrl,
    ...(format === "firebase" ? firebaseFlags() : []),
    ...extra,
  ];
  return runCli(args, { LATCHKEY_TOKEN: token });
}

const userCount = async () => (await storeRows<{ n: number }>(server.dataDir, "SELECT COUNT(*) AS n FROM users"))[0]!.n;

describe.each(Object.keys(FILES))("import-users --format %s", (format) => {
  const cases = EXPECTED[format]!;
  const imported = cases.filter((c) => c.outcome.startsWith("imported"));
  const refused = cases.filter((c) => c.outcome.startsWith("refused"));

  it(
    "imports its sample export, refuses what it must with the reason in the report, and imports nothing twice",
    { timeout: 60_000 },
    async () => {
      const report = join(tempDataDir(), "report.ndjson");
      const before = await userCount();
      const run = await importFile(format, ["--report", report]);
      expect(run.stdout).toContain(`imported ${imported.length}, already there 0, refused ${refused.length}`);
      expect(run.code).toBe(refused.length === 0 ? 0 : 1);
      expect(run.stderr).toMatch(new RegExp(`import-users: ${imported.length} users, \\d+/s in \\d+:\\d\\d`));
      expect(await userCount()).toBe(before + imported.length);

      const lines = readFileSync(report, "utf8")
        .trim()
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, string>);
      // Records the file does not describe are reported as they are read, the server's refusals as its answers come.
      expect(lines.map((l) => l.reason).sort()).toEqual(refused.map((c) => c.outcome.slice("refused:".length)).sort());
      for (const line of lines)
        expect(line).toMatchObject({ at: expect.any(String), code: expect.any(String), message: expect.any(String) });
      const reportText = readFileSync(report, "utf8");
      for (const c of cases) if (c.password) expect(reportText).not.toContain(c.password);
      expect(reportText).not.toMatch(/\$2[aby]\$|\$argon2|pbkdf2_sha256\$|\{S?SHA/);

      const users = createUserClient("connect-json", server.baseUrl);
      try {
        for (const c of imported) {
          const user = ok(await users.call("GetUserByID", { userId: c.id! }, server.adminToken)).user;
          expect(user.state, c.id).toBe(c.locked ? "USER_STATE_LOCKED" : "USER_STATE_ACTIVE");
          if (c.phone !== undefined) expect(user.human.phone.phone, c.id).toBe(c.phone);
          if (c.password && !c.locked) await login(server, c.id!, c.password);
          if (c.password)
            failure(await createSession(server, c.id!, c.password + "x"), c.locked ? "failed_precondition" : "invalid_argument");
        }
      } finally {
        users.close();
      }

      const again = await importFile(format);
      expect(again.stdout).toContain(`imported 0, already there ${imported.length}, refused ${refused.length}`);
      expect(await userCount()).toBe(before + imported.length);
    },
  );
});

describe("import-users", () => {
  it("writes nothing in a dry run, and says what it would import", async () => {
    const dry = await startServer({ env: { LATCHKEY_BCRYPT_COST: "9" } });
    try {
      const run = await runCli(
        ["import-users", join(EXPORTS, FILES.keycloak!), "--format", "keycloak", "--url", dry.baseUrl, "--dry-run"],
        { LATCHKEY_TOKEN: dry.adminToken },
      );
      expect(run.stdout).toContain("would import 4, already there 0, refused 1");
      expect((await storeRows<{ n: number }>(dry.dataDir, "SELECT COUNT(*) AS n FROM users"))[0]!.n).toBe(0);
    } finally {
      await dry.stop();
    }
  });

  it("refuses bad usage in one line, and a file that is not the format it claims", async () => {
    const noToken = await runCli(["import-users", join(EXPORTS, FILES.django!), "--format", "django"], {});
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("LATCHKEY_TOKEN must hold an API token");
    const badFormat = await runCli(["import-users", join(EXPORTS, FILES.django!), "--format", "csv"], { LATCHKEY_TOKEN: "x" });
    expect(badFormat.stderr).toContain("--format must be one of ndjson, keycloak, auth0, firebase, django, kratos");
    const noFirebaseConfig = await runCli(["import-users", join(EXPORTS, FILES.firebase!), "--format", "firebase"], {
      LATCHKEY_TOKEN: "x",
    });
    expect(noFirebaseConfig.stderr).toContain("--format firebase needs the project's hash config");

    const wrong = await importFile("django", [], server.adminToken).then(() =>
      runCli(["import-users", join(EXPORTS, FILES.keycloak!), "--format", "django", "--url", server.baseUrl], {
        LATCHKEY_TOKEN: server.adminToken,
      }),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain("imported 0, already there 0, refused 1");
  });

  it("imports what a file cut short holds, and reports where it breaks off", async () => {
    const whole = readFileSync(join(EXPORTS, FILES.kratos!), "utf8");
    const cut = join(tempDataDir(), "cut.json");
    writeFileSync(cut, whole.slice(0, whole.indexOf('"7d3c9a1e-1b2c-4d5e-8f90-000000000002"') + 10));
    const fresh = await startServer();
    try {
      const report = join(tempDataDir(), "report.ndjson");
      const run = await runCli(["import-users", cut, "--format", "kratos", "--url", fresh.baseUrl, "--report", report], {
        LATCHKEY_TOKEN: fresh.adminToken,
      });
      expect(run.stdout).toContain("imported 1, already there 0, refused 1");
      expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({
        at: "[1]",
        reason: "UNREADABLE",
        message: expect.stringMatching(/cut short/),
      });
    } finally {
      await fresh.stop();
    }
  });

  it("stops with a clear message when the server refuses the token", async () => {
    const run = await importFile("ndjson", [], "not-a-token");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/stopped after \d+ records.*unauthenticated.*Run it again/s);
  });
});
