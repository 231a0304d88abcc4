import { describe, expect, it } from "vitest";
import { readImportedHash } from "../../src/crypto/imported/read-imported-hash.js";
import { MADE_BY_REFERENCE_CODE, PUBLISHED_VECTORS } from "../helpers/reference-hashes.js";

const REFERENCE = MADE_BY_REFERENCE_CODE;
const PUBLISHED = PUBLISHED_VECTORS;

const FAMILY_READ_AS: Record<string, string> = {
  "django-argon2": "django-argon2id",
  "sha256-crypt-rounds": "sha256-crypt",
  "sha512-crypt-rounds": "sha512-crypt",
  "phpass-p": "phpass",
  "phpass-h": "phpass-phpbb",
};

describe("hashes made by other systems", () => {
  it.each(REFERENCE.map((r) => [`${r.family} (${r.madeBy}): ${r.hash.slice(0, 24)}…`, r] as const))(
    "%s verifies its own password and no other",
    (_, reference) => {
      const read = readImportedHash(reference.hash);
      expect(read?.family).toBe(FAMILY_READ_AS[reference.family] ?? reference.family);
      expect(read!.verify(reference.password)).toBe(true);
      expect(read!.verify(reference.password + "x")).toBe(false);
      expect(read!.verify(reference.password.slice(0, -1))).toBe(false);
      expect(read!.verify("")).toBe(false);
    },
  );

  it.each(PUBLISHED.map((v) => [`${v.family} (${v.source})`, v] as const))("%s verifies its own password and no other", (_, vector) => {
    const read = readImportedHash(vector.hash);
    expect(read?.family).toBe(vector.family);
    expect(read!.verify(vector.password)).toBe(true);
    expect(read!.verify(vector.password + "x")).toBe(false);
    expect(read!.verify("")).toBe(false);
  });

  it("covers every family the fixtures hold", () => {
    expect(new Set(REFERENCE.map((r) => r.family)).size).toBe(25);
  });

  it("reads no hash that is broken, truncated or of an unknown family", () => {
    const broken = [...REFERENCE, ...PUBLISHED].flatMap((r) => [r.hash.slice(0, -3), `${r.hash}$extra`, r.hash.replace(/\d+/, "x")]);
    for (const hash of [...broken, "", "plaintext", "$2b$04$tooShort", "{SSHA}", "{CRYPT}abc", "$7$abc", "x".repeat(5000)]) {
      const read = readImportedHash(hash);
      if (read !== null) expect(read.verify("Corr3ct-Horse!"), hash).toBe(false);
    }
  });

  it("names each hash's cost by its own parameters", () => {
    const costOf = (family: string) => readImportedHash(REFERENCE.find((r) => r.family === family)!.hash)!.cost;
    expect(costOf("argon2id")).toEqual({ memoryKiB: 1024, passes: 2, parallelism: 2 });
    expect(costOf("scrypt")).toEqual({ N: 1024, r: 8, p: 1 });
    expect(costOf("pbkdf2-sha256")).toEqual({ iterations: 1000 });
    expect(costOf("django-pbkdf2-sha256")).toEqual({ iterations: 1000 });
    expect(costOf("sha512-crypt-rounds")).toEqual({ rounds: 10000 });
    expect(costOf("phpass-p")).toEqual({ rounds: 256 });
    expect(costOf("django-bcrypt-sha256")).toEqual({ bcryptCost: 4 });
  });
});
