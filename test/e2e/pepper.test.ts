import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { eventTypes } from "../helpers/database.js";
import { STRONG_PASSWORD } from "../helpers/fixtures.js";
import { addUser, login, loginFails, storedHashOf } from "../helpers/logins.js";
import { startServer, tempDataDir } from "../helpers/server.js";

const P1 = `p1:${randomBytes(32).toString("base64")}`;
const P2 = `p2:${randomBytes(32).toString("base64")}`;

describe("a pepper kept outside the database", () => {
  it("hashes under the current pepper, re-hashes older ones at login, and refuses to start without a pepper still in use", async () => {
    const dataDir = tempDataDir();
    const pepperFile = join(dataDir, "..", `pepper-${randomBytes(4).toString("hex")}`);
    const start = (peppers: string | null) => {
      if (peppers !== null) writeFileSync(pepperFile, peppers + "\n");
      return startServer({ dataDir, env: peppers === null ? {} : { LATCHKEY_PEPPER_FILE: pepperFile } });
    };
    const hashOf = (userId: string) => storedHashOf(dataDir, userId);

    // Before any pepper: a plain hash, and an imported bcrypt hash.
    let server = await start(null);
    const plain = await addUser(server, { password: { password: STRONG_PASSWORD } });
    const imported = await addUser(server, { password: undefined, hashedPassword: { hash: bcrypt.hashSync(STRONG_PASSWORD, 4) } });
    await server.stop();

    server = await start(P1);
    const first = await addUser(server, { password: { password: STRONG_PASSWORD } });
    const second = await addUser(server, { password: { password: STRONG_PASSWORD } });
    expect(await hashOf(first)).toMatch(/^bcrypt-hmac-sha384:p1:\$2b\$04\$/);
    // Existing hashes keep verifying, and move under the pepper at their next login.
    for (const userId of [plain, imported, first]) await login(server, userId, STRONG_PASSWORD);
    expect(await hashOf(plain)).toMatch(/^bcrypt-hmac-sha384:p1:/);
    expect(await hashOf(imported)).toMatch(/^bcrypt-hmac-sha384:p1:/);
    expect(await eventTypes(dataDir, plain)).toContain("user.human.password.hash.upgraded");
    await loginFails(server, first, "Wrong-Passw0rd!");
    await server.stop();

    // Rotation: p2 current, p1 still verifies; a login moves the hash under p2.
    server = await start(`${P2}\n${P1}`);
    for (const userId of [plain, first]) await login(server, userId, STRONG_PASSWORD);
    expect(await hashOf(first)).toMatch(/^bcrypt-hmac-sha384:p2:/);
    expect(await hashOf(second)).toMatch(/^bcrypt-hmac-sha384:p1:/);
    await server.stop();

    // Dropping p1 while two users' hashes still use it, or giving p1 another key: refused in one line.
    await expect(start(P2)).rejects.toThrow(/LATCHKEY_PEPPER: pepper "p1" is missing, but 2 users' password hashes still use it/);
    await expect(start(null)).rejects.toThrow(/LATCHKEY_PEPPER: pepper "p2" is missing, but 2 users/);
    const otherP1 = `p1:${randomBytes(32).toString("base64")}`;
    await expect(start(`${P2}\n${otherP1}`)).rejects.toThrow(
      /LATCHKEY_PEPPER: pepper "p1" is not the one this database's hashes were made with/,
    );

    // Once every hash has moved under p2, p1 can go.
    server = await start(`${P2}\n${P1}`);
    for (const userId of [second, imported]) await login(server, userId, STRONG_PASSWORD);
    await server.stop();
    server = await start(P2);
    try {
      for (const userId of [plain, imported, first, second]) await login(server, userId, STRONG_PASSWORD);
      expect(server.output()).not.toContain(P2.slice(3));
    } finally {
      await server.stop();
    }
  });

  it("refuses a weak pepper, a malformed entry and a repeated id at start", async () => {
    await expect(startServer({ env: { LATCHKEY_PEPPER: "p1:short" } })).rejects.toThrow(
      /LATCHKEY_PEPPER \(pepper "p1"\) must be at least 43/,
    );
    await expect(startServer({ env: { LATCHKEY_PEPPER: randomBytes(32).toString("base64") } })).rejects.toThrow(
      /LATCHKEY_PEPPER entries must be ID:SECRET/,
    );
    await expect(startServer({ env: { LATCHKEY_PEPPER: `${P1},${P1}` } })).rejects.toThrow(/names pepper "p1" twice/);
  });
});
