import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventTypes } from "../helpers/database.js";
import { STRONG_PASSWORD } from "../helpers/fixtures.js";
import { addUser, login, loginFails, storedHashOf } from "../helpers/logins.js";
import { REFERENCE_HASHES } from "../helpers/reference-hashes.js";
import { startServer, tempDataDir } from "../helpers/server.js";

const ARGON2 = { LATCHKEY_PASSWORD_HASH: "argon2id", LATCHKEY_ARGON2_MEMORY: "1024", LATCHKEY_ARGON2_PASSES: "2" };
const PEPPER = `p1:${randomBytes(32).toString("base64")}`;

describe("LATCHKEY_PASSWORD_HASH=argon2id", () => {
  it("hashes new passwords with Argon2id, and moves every other hash to it at the user's next login", async () => {
    const dataDir = tempDataDir();
    const md5 = REFERENCE_HASHES.find((r) => r.family === "md5-crypt")!;
    let server = await startServer({ dataDir });
    const onBcrypt = await addUser(server, { password: { password: STRONG_PASSWORD } });
    const onMd5 = await addUser(server, { password: undefined, hashedPassword: { hash: md5.hash } });
    await server.stop();

    server = await startServer({ dataDir, env: ARGON2 });
    const fresh = await addUser(server, { password: { password: STRONG_PASSWORD } });
    expect(await storedHashOf(dataDir, fresh)).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    await loginFails(server, onBcrypt, "Wrong-Passw0rd!");
    expect(await storedHashOf(dataDir, onBcrypt)).toMatch(/^bcrypt-sha384:/);
    await login(server, onBcrypt, STRONG_PASSWORD);
    await login(server, onMd5, md5.password);
    for (const userId of [onBcrypt, onMd5]) {
      expect(await storedHashOf(dataDir, userId)).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
      expect(await eventTypes(dataDir, userId)).toContain("user.human.password.hash.upgraded");
    }
    await login(server, fresh, STRONG_PASSWORD);
    expect(await eventTypes(dataDir, fresh)).not.toContain("user.human.password.hash.upgraded");
    await server.stop();

    // Other parameters: the next login moves the hash to them; back on bcrypt, to bcrypt.
    server = await startServer({ dataDir, env: { ...ARGON2, LATCHKEY_ARGON2_PASSES: "3" } });
    await login(server, fresh, STRONG_PASSWORD);
    expect(await storedHashOf(dataDir, fresh)).toMatch(/^\$argon2id\$v=19\$m=1024,t=3,p=1\$/);
    await server.stop();
    server = await startServer({ dataDir });
    try {
      await login(server, fresh, STRONG_PASSWORD);
      expect(await storedHashOf(dataDir, fresh)).toMatch(/^bcrypt-sha384:\$2b\$04\$/);
      await loginFails(server, onMd5, "Wrong-Passw0rd!");
      await login(server, onMd5, md5.password);
    } finally {
      await server.stop();
    }
  });

  it("makes a pepper Argon2's secret, and refuses to start without a pepper its hashes still use", async () => {
    const dataDir = tempDataDir();
    const pepperFile = join(dataDir, "..", `pepper-${randomBytes(4).toString("hex")}`);
    writeFileSync(pepperFile, PEPPER + "\n");
    let server = await startServer({ dataDir, env: { ...ARGON2, LATCHKEY_PEPPER_FILE: pepperFile } });
    const userId = await addUser(server, { password: { password: STRONG_PASSWORD } });
    expect(await storedHashOf(dataDir, userId)).toMatch(/^argon2id-secret:p1:\$argon2id\$v=19\$/);
    await login(server, userId, STRONG_PASSWORD);
    await loginFails(server, userId, "Wrong-Passw0rd!");
    await server.stop();
    await expect(startServer({ dataDir, env: ARGON2 })).rejects.toThrow(
      /pepper "p1" is missing, but 1 users' password hashes still use it/,
    );
    server = await startServer({ dataDir, env: { ...ARGON2, LATCHKEY_PEPPER_FILE: pepperFile } });
    try {
      await login(server, userId, STRONG_PASSWORD);
      expect(server.output()).not.toContain(PEPPER.slice(3));
    } finally {
      await server.stop();
    }
  });

  it("refuses parameters Argon2 cannot take, naming the setting", async () => {
    await expect(startServer({ env: { ...ARGON2, LATCHKEY_ARGON2_MEMORY: "16", LATCHKEY_ARGON2_PARALLELISM: "4" } })).rejects.toThrow(
      /LATCHKEY_ARGON2_MEMORY must be at least 8 KiB per lane/,
    );
    await expect(startServer({ env: { LATCHKEY_PASSWORD_HASH: "scrypt" } })).rejects.toThrow(/LATCHKEY_PASSWORD_HASH/);
  });
});
