import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginTimes, serverOnArgon2id, serverWithEveryStoredHash, TYPED_PASSWORDS } from "../helpers/login-timing.js";
import type { TestServer } from "../helpers/server.js";

let server: TestServer;
let knownNames: Record<string, string>;
beforeAll(async () => {
  ({ server, knownNames } = await serverWithEveryStoredHash());
});
afterAll(async () => {
  await server.stop();
});

describe.each(TYPED_PASSWORDS)("a password check for an unknown login name, typing %s", (password) => {
  it("takes as long as one for a known name with a wrong password", { timeout: 60_000 }, async () => {
    const { knownMs, ratio } = await loginTimes(server, password, 11);
    // bcrypt at cost 10 takes tens of milliseconds: without the dummy compare, unknown names answer in ~1 ms.
    expect(knownMs).toBeGreaterThan(15);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });
});

describe("a failed password check for a known user", () => {
  it.each([
    "imported_cost4",
    "made_at_cost8_before_raise",
    "unreadable_hash",
    "over_import_cap",
    // Other systems' hashes, one of each kind of work (the reliability suite times every family).
    "imported_argon2id",
    "imported_scrypt",
    "imported_pbkdf2-sha256",
    "imported_sha512-crypt",
    "imported_md5-crypt",
    "imported_phpass-p",
    "imported_ldap-ssha",
    "imported_django-bcrypt-sha256",
  ])("takes as long as for an unknown name whatever the stored hash: %s", { timeout: 60_000 }, async (kind) => {
    expect(knownNames[kind], kind).toBeDefined();
    const { unknownMs, ratio } = await loginTimes(server, "Wrong-Passw0rd!", 11, knownNames[kind]);
    expect(unknownMs).toBeGreaterThan(15);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });
});

describe("with Argon2id as the scheme, a failed password check for a known user", () => {
  let argon2: TestServer;
  let names: Record<string, string>;
  beforeAll(async () => {
    ({ server: argon2, knownNames: names } = await serverOnArgon2id());
  });
  afterAll(() => argon2.stop());

  it.each(["argon2id", "bcrypt_before_switch", "imported_md5-crypt", "imported_pbkdf2-sha256", "imported_ldap-ssha"])(
    "takes as long as for an unknown name: %s",
    { timeout: 60_000 },
    async (kind) => {
      expect(names[kind], kind).toBeDefined();
      const { unknownMs, ratio } = await loginTimes(argon2, "Wrong-Passw0rd!", 11, names[kind]);
      expect(unknownMs).toBeGreaterThan(15);
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.25);
    },
  );
});
