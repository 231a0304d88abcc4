import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient } from "../helpers/clients.js";
import { storeRows } from "../helpers/database.js";
import { humanUser, ok, OTHER_PASSWORD, STRONG_PASSWORD } from "../helpers/fixtures.js";
import { codeFromLink } from "../helpers/mail.js";
import { freshDatabase, shareDatabase } from "../helpers/postgres.js";
import { runCli, startServer, tempDataDir, untilOutput } from "../helpers/server.js";

const ORIGIN = "https://accounts.example.com";
const EVENTS = `SELECT position, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at FROM events ORDER BY position`;
const USERS = `SELECT user_id, sequence, password_hash, password_history, code_digest FROM users ORDER BY user_id`;

describe("moving a SQLite installation to PostgreSQL", () => {
  it("keeps every event, sequence and hash, the secret's codes and tokens, and what was still queued", async () => {
    const dataDir = tempDataDir();
    // The installation as it runs today: SQLite, its secret generated into the data dir.
    const sqlite = await startServer({ backend: "sqlite", dataDir, env: { LATCHKEY_RESET_URL_ORIGINS: ORIGIN } });
    const before = createUserClient("grpc", sqlite.baseUrl);
    const sessionsBefore = createRpcClient<"CreateSession">("grpc", sqlite.baseUrl, SessionService);
    const { userId } = ok(await before.call("AddHumanUser", humanUser(), sqlite.adminToken));
    const other = ok(await before.call("AddHumanUser", humanUser(), sqlite.adminToken)).userId as string;
    ok(await before.call("SetPassword", { userId: other, newPassword: { password: OTHER_PASSWORD } }, sqlite.adminToken));
    const session = ok(
      await sessionsBefore.call("CreateSession", { checks: { user: { userId }, password: { password: STRONG_PASSWORD } } }),
    );
    // No mail transport: the reset link stays queued, to be sent after the move.
    ok(await before.call("PasswordReset", { userId: other, sendLink: { urlTemplate: `${ORIGIN}/r?code={{.Code}}` } }, sqlite.adminToken));
    before.close();
    sessionsBefore.close();
    await sqlite.stop();
    const created = await runCli(["token", "create", "--permissions", "user.read"], { LATCHKEY_DATA_DIR: dataDir });
    const apiToken = created.stdout.trim().split("\n").at(-1)!;

    const url = await freshDatabase();
    const migrated = await runCli(["migrate-store"], { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE_URL: url });
    expect(migrated.code).toBe(0);
    const secretFile = join(dataDir, "secret-for-replicas");
    expect(migrated.stdout).toContain(`LATCHKEY_SECRET_FILE=${secretFile}`);
    expect(migrated.stderr).toMatch(/migrate-store: \d+ events, \d+\/s in \d+:\d\d/);

    // The same rows, byte for byte: positions, sequences, payloads, hashes.
    const replicaDir = tempDataDir();
    shareDatabase(replicaDir, { url, secret: "" });
    expect(await storeRows(replicaDir, EVENTS)).toEqual(await storeRows(dataDir, EVENTS));
    expect(await storeRows(replicaDir, USERS)).toEqual(await storeRows(dataDir, USERS));

    // A replica on PostgreSQL with the installation's secret: everything it issued still works.
    const mailDir = tempDataDir();
    const replica = await startServer({
      backend: "sqlite", // its store comes from the environment below
      dataDir: replicaDir,
      adminToken: null,
      env: { LATCHKEY_DATABASE_URL: url, LATCHKEY_SECRET_FILE: secretFile, LATCHKEY_MAIL_DIR: mailDir, LATCHKEY_RESET_URL_ORIGINS: ORIGIN },
    });
    const users = createUserClient("connect-json", replica.baseUrl);
    const sessions = createRpcClient<"CreateSession" | "GetSession">("connect-json", replica.baseUrl, SessionService);
    try {
      expect(ok(await users.call("GetUserByID", { userId }, apiToken)).details.sequence).toBe("1");
      expect(ok(await users.call("GetUserByID", { userId }, sqlite.adminToken)).user.userId).toBe(userId);
      ok(await sessions.call("GetSession", { sessionId: session.sessionId, sessionToken: session.sessionToken }));
      ok(await sessions.call("CreateSession", { checks: { user: { userId: other }, password: { password: OTHER_PASSWORD } } }));
      // What was queued before the move goes out now (the change notice and the link), with a code the replica accepts.
      await untilOutput(replica, "message delivered", 2);
      const mails = await Promise.all(readdirSync(mailDir).map((file) => simpleParser(readFileSync(join(mailDir, file)))));
      const { code } = codeFromLink(mails.find((m) => m.subject === "Reset your password")!.text!);
      ok(await users.call("SetPassword", { userId: other, newPassword: { password: "Th1rd-Passw0rd!" }, verificationCode: code }));
      // New events continue the log after the copied ones.
      const [last] = await storeRows<{ sequence: number }>(
        replicaDir,
        `SELECT sequence FROM events WHERE aggregate_id = ? ORDER BY position DESC LIMIT 1`,
        [other],
      );
      expect(last!.sequence).toBe(4);
    } finally {
      users.close();
      sessions.close();
      await replica.stop();
    }

    const again = await runCli(["migrate-store"], { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      "latchkey: the target database already holds events: migrate-store copies into an empty database only",
    );
  });

  it("says what it needs when no PostgreSQL database is named", async () => {
    const { code, stderr } = await runCli(["migrate-store"], { LATCHKEY_DATA_DIR: tempDataDir() });
    expect(code).toBe(2);
    expect(stderr).toMatch(/LATCHKEY_DATABASE_URL must name the PostgreSQL database/);
  });
});
