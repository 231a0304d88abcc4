import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUser, login } from "../helpers/logins.js";
import { REFERENCE_HASHES } from "../helpers/reference-hashes.js";
import { runCli, startServer, storeEnv, type TestServer } from "../helpers/server.js";

const reference = (family: string) => REFERENCE_HASHES.find((r) => r.family === family)!;

let server: TestServer;
let metricsUrl: string;
const ids: Record<string, string> = {};
beforeAll(async () => {
  server = await startServer({ env: { LATCHKEY_METRICS_ADDR: "127.0.0.1:0" } });
  const line = server
    .output()
    .split("\n")
    .find((l) => l.includes('"msg":"metrics listening"'))!;
  metricsUrl = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/metrics`;
  ids.ours1 = await addUser(server, {});
  ids.ours2 = await addUser(server, {});
  ids.noPassword = await addUser(server, { password: undefined });
  for (const family of ["md5-crypt", "ldap-ssha", "pbkdf2-sha256"]) {
    ids[family] = await addUser(server, { password: undefined, hashedPassword: { hash: reference(family).hash } });
  }
});
afterAll(() => server.stop());

const report = async (...args: string[]) => runCli(["hash-report", ...args], await storeEnv(server.dataDir));

describe("how many users sit on which password scheme", () => {
  it("hash-report counts users by scheme and marks the weak ones", async () => {
    const run = await report();
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^scheme\s+users\s+weak$/);
    expect(lines[1]).toMatch(/^bcrypt-sha384\s+2\s+$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^md5-crypt\s+1\s+1,000 rounds of MD5/),
        expect.stringMatching(/^ldap-ssha\s+1\s+one fast salted digest/),
        expect.stringMatching(/^pbkdf2-sha256\s+1\s+$/),
        expect.stringMatching(/^none\s+1\s+$/),
      ]),
    );
    expect(lines.at(-1)).toMatch(/^2 users on weak schemes/);
    const json = JSON.parse((await report("--json")).stdout) as Array<{ scheme: string; users: number; weakness?: string }>;
    expect(json.find((c) => c.scheme === "md5-crypt")).toMatchObject({ users: 1, weakness: expect.any(String) });
    const weak = (await report("--user-ids", "weak")).stdout.trim().split("\n").sort();
    expect(weak).toEqual([ids["md5-crypt"], ids["ldap-ssha"]].sort());
    expect((await report("--user-ids=pbkdf2-sha256")).stdout.trim()).toBe(ids["pbkdf2-sha256"]);
  });

  it("the metric counts the same, and a login moves a weak user off its scheme", async () => {
    const scrape = async () => await (await fetch(metricsUrl)).text();
    const first = await scrape();
    expect(first).toContain('latchkey_users_by_password_scheme{scheme="bcrypt-sha384",weak="false"} 2');
    expect(first).toContain('latchkey_users_by_password_scheme{scheme="md5-crypt",weak="true"} 1');
    await login(server, ids["md5-crypt"]!, reference("md5-crypt").password);
    expect((await report("--user-ids", "weak")).stdout.trim()).toBe(ids["ldap-ssha"]);
    expect((await report("--user-ids", "bcrypt-sha384")).stdout.trim().split("\n")).toHaveLength(3);
  });
});
