import { pbkdf2Sync } from "node:crypto";
import { adaptedBase64, base64, bytesEqual, wholeNumber, type HashReader, type ImportedHash } from "./imported-hash.js";
import { PBKDF2_ITERATIONS_PER_UNIT } from "./work.js";

const MOST_ITERATIONS = 100_000_000;
const PASSLIB_DIGESTS: Record<string, { name: string; size: number }> = {
  pbkdf2: { name: "sha1", size: 20 },
  "pbkdf2-sha256": { name: "sha256", size: 32 },
  "pbkdf2-sha512": { name: "sha512", size: 64 },
};

function pbkdf2Hash(family: string, digest: string, iterations: number, salt: Buffer, expected: Buffer): ImportedHash {
  return {
    family,
    cost: { iterations },
    work: { parameter: "iterations", value: iterations, perUnit: PBKDF2_ITERATIONS_PER_UNIT[digest]! },
    verify: (password) => bytesEqual(pbkdf2Sync(password, salt, iterations, expected.length, digest), expected),
  };
}

/** passlib's `$pbkdf2$`, `$pbkdf2-sha256$`, `$pbkdf2-sha512$`: rounds, salt and checksum in adapted base64. */
export const readPasslibPbkdf2: HashReader = (encoded) => {
  const [empty, ident, rounds, salt, checksum, ...rest] = encoded.split("$");
  const digest = PASSLIB_DIGESTS[ident ?? ""];
  if (empty !== "" || digest === undefined || rest.length > 0) return null;
  const iterations = wholeNumber(rounds, 1, MOST_ITERATIONS);
  const saltBytes = adaptedBase64(salt ?? "");
  const expected = adaptedBase64(checksum ?? "");
  // passlib writes the digest's size; Keycloak, whose hashes arrive in this form, 64 bytes for any digest.
  if (iterations === null || saltBytes === null || expected === null || ![digest.size, 64].includes(expected.length)) return null;
  return pbkdf2Hash(ident === "pbkdf2" ? "pbkdf2-sha1" : ident!, digest.name, iterations, saltBytes, expected);
};

/** Django's `pbkdf2_sha256$…` and `pbkdf2_sha1$…`: the salt is text, used as its UTF-8 bytes. */
export const readDjangoPbkdf2: HashReader = (encoded) => {
  const [algorithm, rounds, salt, checksum, ...rest] = encoded.split("$");
  const digest = algorithm === "pbkdf2_sha256" ? "sha256" : algorithm === "pbkdf2_sha1" ? "sha1" : null;
  if (digest === null || rest.length > 0 || !salt) return null;
  const iterations = wholeNumber(rounds, 1, MOST_ITERATIONS);
  const expected = base64(checksum ?? "");
  if (iterations === null || expected === null || expected.length !== (digest === "sha256" ? 32 : 20)) return null;
  return pbkdf2Hash(`django-${algorithm!.replace("_", "-")}`, digest, iterations, Buffer.from(salt, "utf8"), expected);
};
