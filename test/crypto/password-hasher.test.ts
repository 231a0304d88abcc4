import bcrypt from "bcrypt";
import { createHash } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { generateCode, normalizeCode } from "../../src/crypto/codes.js";
import { digestsEqual, keyedDigest } from "../../src/crypto/digest.js";
import { isImportableBcryptHash, maxImportedCost, PasswordHasher } from "../../src/crypto/password-hasher.js";
import { Peppers } from "../../src/crypto/peppers.js";
import { open, seal } from "../../src/crypto/sealed-box.js";
import { MADE_BY_REFERENCE_CODE, ONE_PER_FAMILY } from "../helpers/reference-hashes.js";

const hasher = new PasswordHasher(4, 2);

describe("password hashing", () => {
  it("records its scheme and cost, and verifies", async () => {
    const hash = await hasher.hash("Corr3ct-Horse!");
    expect(hash).toMatch(/^bcrypt-sha384:\$2b\$04\$/);
    expect(await hasher.verify("Corr3ct-Horse!", hash)).toEqual({ matches: true, needsRehash: false });
    expect(await hasher.verify("corr3ct-Horse!", hash)).toEqual({ matches: false, needsRehash: false });
  });

  it("makes every byte count past bcrypt's 72", async () => {
    const prefix = "x".repeat(72);
    const hash = await hasher.hash(prefix + "a");
    expect((await hasher.verify(prefix + "b", hash)).matches).toBe(false);
    expect((await hasher.verify(prefix, hash)).matches).toBe(false);
    expect((await hasher.verify(prefix + "a", hash)).matches).toBe(true);
  });

  it("verifies other systems' hashes on its threads and asks to upgrade them; over 72 bytes, Django's plain bcrypt is ambiguous", async () => {
    const dear = new PasswordHasher(9, 1); // the dearest references stay within four times a check at cost 9
    try {
      for (const reference of ONE_PER_FAMILY) {
        expect(await dear.verify(reference.password, reference.hash), reference.family).toEqual({ matches: true, needsRehash: true });
        expect(await dear.verify(reference.password + "x", reference.hash), reference.family).toEqual({
          matches: false,
          needsRehash: false,
        });
      }
      const long = "x".repeat(80);
      const djangoBcrypt = `bcrypt$${bcrypt.hashSync(long, 4)}`;
      expect(await dear.verify(long, djangoBcrypt)).toEqual({ matches: true, needsRehash: false });
      expect(await dear.verify("x".repeat(72) + "y", djangoBcrypt)).toEqual({ matches: true, needsRehash: false });
      expect(dear.importRefusal(djangoBcrypt)).toBeNull();
      expect(dear.importRefusal("$pbkdf2-sha256$90000000$c2FsdA$" + "A".repeat(43))).toMatch(/iterations 90000000/);
    } finally {
      await dear.close();
    }
  });

  it("verifies imported standard bcrypt hashes and asks to upgrade them", async () => {
    const imported = bcrypt.hashSync("Imp0rted!", 4);
    expect(await hasher.verify("Imp0rted!", imported)).toEqual({ matches: true, needsRehash: true });
    expect(await hasher.verify("Imp0rted!", imported.replace("$2b$", "$2y$"))).toEqual({ matches: true, needsRehash: true });
    expect(await hasher.verify("Wrong!", imported)).toEqual({ matches: false, needsRehash: false });
  });

  it("asks to upgrade a hash of another cost", async () => {
    const cheaper = await new PasswordHasher(5, 1).hash("Corr3ct-Horse!");
    expect(await hasher.verify("Corr3ct-Horse!", cheaper)).toEqual({ matches: true, needsRehash: true });
  });

  it("knows an importable hash", () => {
    expect(isImportableBcryptHash(bcrypt.hashSync("x", 4), 6)).toBe(true);
    expect(isImportableBcryptHash("$2b$03$" + "a".repeat(53), 6)).toBe(false);
    expect(isImportableBcryptHash("$1$md5$whatever", 6)).toBe(false);
  });

  it("refuses imported costs above the configured cost + 2, and never above 16", () => {
    expect(maxImportedCost(4)).toBe(6);
    expect(maxImportedCost(12)).toBe(14);
    expect(maxImportedCost(15)).toBe(16);
    expect(maxImportedCost(18)).toBe(18);
    expect(isImportableBcryptHash("$2b$07$" + "a".repeat(53), maxImportedCost(4))).toBe(false);
    expect(isImportableBcryptHash("$2b$31$" + "a".repeat(53), maxImportedCost(12))).toBe(false);
  });

  it("does not compare against an imported hash above the cost it accepts", async () => {
    const costly = bcrypt.hashSync("Imp0rted!", 7); // the test hasher's cost is 4: at most 6
    expect(await hasher.verify("Imp0rted!", costly)).toEqual({ matches: false, needsRehash: false });
    const ours = await new PasswordHasher(7, 1).hash("Corr3ct-Horse!");
    expect((await hasher.verify("Corr3ct-Horse!", ours)).matches).toBe(true);
  });

  it("never upgrades an imported hash matched by a password longer than bcrypt's 72 bytes", async () => {
    const real = "p".repeat(72) + "-the-real-tail";
    const imported = bcrypt.hashSync(real, 4);
    // bcrypt ignores what comes after byte 72: any tail matches, so which one was meant is unknown.
    expect(await hasher.verify("p".repeat(72) + "-an-attacker's", imported)).toEqual({ matches: true, needsRehash: false });
    expect(await hasher.verify(real, imported)).toEqual({ matches: true, needsRehash: false });
    const short = bcrypt.hashSync("Sh0rt-enough!", 4);
    expect(await hasher.verify("Sh0rt-enough!", short)).toEqual({ matches: true, needsRehash: true });
  });

  it("never verifies against a malformed stored hash", async () => {
    expect(await hasher.verify("", "garbage")).toEqual({ matches: false, needsRehash: false });
  });
});

describe("codes, digests and sealing", () => {
  it("generates codes of 10 unambiguous characters", () => {
    const codes = new Set(Array.from({ length: 500 }, generateCode));
    expect(codes.size).toBe(500);
    for (const code of codes) expect(code).toMatch(/^[ACDEFGHJKMNPQRTUVWXY34679]{10}$/);
    expect(normalizeCode(" acd3 ")).toBe("ACD3");
  });

  it("digests with a key, and compares digests", () => {
    const key = Buffer.alloc(32, 1);
    const digest = keyedDigest(key, "a", "bc");
    expect(digest).not.toContain("bc");
    expect(digestsEqual(digest, keyedDigest(key, "a", "bc"))).toBe(true);
    expect(digestsEqual(digest, keyedDigest(key, "ab", "c"))).toBe(false);
    expect(digestsEqual(digest, keyedDigest(Buffer.alloc(32, 2), "a", "bc"))).toBe(false);
  });

  it("seals a secret so only the key opens it", () => {
    const key = Buffer.alloc(32, 7);
    const sealed = seal(key, "ACDEFGHJKM");
    expect(sealed).not.toContain("ACDEFGHJKM");
    expect(open(key, sealed)).toBe("ACDEFGHJKM");
    expect(() => open(Buffer.alloc(32, 8), sealed)).toThrow();
  });
});

describe("password hashing with a pepper", () => {
  const secret = (c: string) => c.repeat(4) + "abcdefghijklmnopqrstuvwxyz0123456789-_";
  const p1 = Peppers.from([{ id: "p1", secret: secret("A") }]);
  const p2ThenP1 = Peppers.from([
    { id: "p2", secret: secret("B") },
    { id: "p1", secret: secret("A") },
  ]);

  it("tags the hash with the pepper, which a hasher without it cannot verify", async () => {
    const hash = await new PasswordHasher(4, 1, p1).hash("Corr3ct-Horse!");
    expect(hash).toMatch(/^bcrypt-hmac-sha384:p1:\$2b\$04\$/);
    expect(await new PasswordHasher(4, 1, p1).verify("Corr3ct-Horse!", hash)).toEqual({ matches: true, needsRehash: false });
    expect(await new PasswordHasher(4, 1, p1).verify("Corr3ct-Horse?", hash)).toEqual({ matches: false, needsRehash: false });
    // The database alone: neither the plain pre-hash nor another key under the same id opens it.
    expect((await hasher.verify("Corr3ct-Horse!", hash)).matches).toBe(false);
    const sha384 = createHash("sha384").update("Corr3ct-Horse!").digest("base64");
    expect(bcrypt.compareSync(sha384, hash.slice("bcrypt-hmac-sha384:p1:".length))).toBe(false);
    const otherKey = Peppers.from([{ id: "p1", secret: secret("C") }]);
    expect((await new PasswordHasher(4, 1, otherKey).verify("Corr3ct-Horse!", hash)).matches).toBe(false);
  });

  it("verifies hashes under an older pepper, unpeppered and imported ones, and asks to re-hash them under the current", async () => {
    const rotated = new PasswordHasher(4, 1, p2ThenP1);
    const underP1 = await new PasswordHasher(4, 1, p1).hash("Corr3ct-Horse!");
    expect(await rotated.verify("Corr3ct-Horse!", underP1)).toEqual({ matches: true, needsRehash: true });
    expect(await rotated.verify("Wrong-Horse!", underP1)).toEqual({ matches: false, needsRehash: false });
    expect(await rotated.verify("Corr3ct-Horse!", await hasher.hash("Corr3ct-Horse!"))).toEqual({ matches: true, needsRehash: true });
    expect(await rotated.verify("Imp0rted!", bcrypt.hashSync("Imp0rted!", 4))).toEqual({ matches: true, needsRehash: true });
    const current = await rotated.hash("Corr3ct-Horse!");
    expect(current).toMatch(/^bcrypt-hmac-sha384:p2:/);
    expect(await rotated.verify("Corr3ct-Horse!", current)).toEqual({ matches: true, needsRehash: false });
    // Without the pepper configured at all, a peppered hash matches nothing, and asks for nothing.
    expect(await hasher.verify("Corr3ct-Horse!", current)).toEqual({ matches: false, needsRehash: false });
    expect(await hasher.verify("x", "bcrypt-hmac-sha384::" + current.slice(-60))).toEqual({ matches: false, needsRehash: false });
  });
});

describe("Argon2id as the scheme for new hashes", () => {
  const light = { name: "argon2id", memoryKiB: 1024, passes: 2, parallelism: 2 } as const;
  const argon2 = new PasswordHasher(light, 1);
  afterAll(() => argon2.close());
  const secret = "A".repeat(4) + "abcdefghijklmnopqrstuvwxyz0123456789-_";
  const p1 = Peppers.from([{ id: "p1", secret }]);

  it("writes the PHC string every Argon2 library reads, and takes argon2-cffi's at the same parameters as its own", async () => {
    const hash = await argon2.hash("Corr3ct-Horse!");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await argon2.verify("Corr3ct-Horse!", hash)).toEqual({ matches: true, needsRehash: false });
    expect(await argon2.verify("Corr3ct-Horse?", hash)).toEqual({ matches: false, needsRehash: false });
    const cffi = MADE_BY_REFERENCE_CODE.find((r) => r.hash.startsWith("$argon2id$v=19$m=1024,t=2,p=2$"))!;
    expect(cffi.madeBy).toMatch(/argon2-cffi/);
    expect(await argon2.verify(cffi.password, cffi.hash)).toEqual({ matches: true, needsRehash: false });
  });

  it("re-hashes bcrypt users, and hashes made with other parameters, at their next login; and back to bcrypt", async () => {
    const ours = await hasher.hash("Corr3ct-Horse!");
    expect(await argon2.verify("Corr3ct-Horse!", ours)).toEqual({ matches: true, needsRehash: true });
    expect(await argon2.verify("Corr3ct-Horse?", ours)).toEqual({ matches: false, needsRehash: false });
    expect(await argon2.verify("Imp0rted!", bcrypt.hashSync("Imp0rted!", 4))).toEqual({ matches: true, needsRehash: true });
    for (const other of [{ passes: 1 }, { memoryKiB: 2048 }, { parallelism: 1 }]) {
      const hasherWithOther = new PasswordHasher({ ...light, ...other }, 1);
      const made = await hasherWithOther.hash("Corr3ct-Horse!");
      expect(await argon2.verify("Corr3ct-Horse!", made), JSON.stringify(other)).toEqual({ matches: true, needsRehash: true });
      await hasherWithOther.close();
    }
    const made = await argon2.hash("Corr3ct-Horse!");
    expect(await hasher.verify("Corr3ct-Horse!", made)).toEqual({ matches: true, needsRehash: true });
  });

  it("makes the pepper Argon2's secret input, without which the hash verifies nothing", async () => {
    const peppered = new PasswordHasher(light, 1, p1);
    try {
      const hash = await peppered.hash("Corr3ct-Horse!");
      expect(hash).toMatch(/^argon2id-secret:p1:\$argon2id\$v=19\$m=1024,t=2,p=2\$/);
      expect(await peppered.verify("Corr3ct-Horse!", hash)).toEqual({ matches: true, needsRehash: false });
      expect(await peppered.verify("Corr3ct-Horse?", hash)).toEqual({ matches: false, needsRehash: false });
      expect(await argon2.verify("Corr3ct-Horse!", hash)).toEqual({ matches: false, needsRehash: false });
      const phc = hash.slice("argon2id-secret:p1:".length);
      expect(await argon2.verify("Corr3ct-Horse!", phc)).toEqual({ matches: false, needsRehash: false });
      // An unpeppered hash is re-hashed under the pepper.
      expect(await peppered.verify("Corr3ct-Horse!", await argon2.hash("Corr3ct-Horse!"))).toEqual({ matches: true, needsRehash: true });
    } finally {
      await peppered.close();
    }
  });

  it("bounds imported hashes by what a check at its parameters costs", () => {
    // 1024 KiB × 2 passes is about 13 bcrypt units: a bcrypt check at cost 4 (16 units) is the nearest.
    expect(argon2.maxCost).toBe(maxImportedCost(4));
    expect(argon2.importRefusal(bcrypt.hashSync("x", 6))).toBeNull();
    expect(argon2.importRefusal(bcrypt.hashSync("x", 7))).toMatch(/cost 4 to 6/);
    expect(argon2.importRefusal("$pbkdf2-sha256$20000$c2FsdA$" + "A".repeat(43))).toMatch(
      /iterations 20000 .*At most \d+ for pbkdf2-sha256/,
    );
  });
});
