import { pbkdf2Sync } from "node:crypto";
import { base64, bytesEqual, type HashReader } from "./imported-hash.js";
import { PBKDF2_ITERATIONS_PER_UNIT } from "./work.js";

const PRFS = ["sha1", "sha256", "sha512"] as const;
const MOST_ITERATIONS = 100_000_000;

/**
 * ASP.NET Identity's PasswordHasher, a base64 blob. V2 (first byte 0x00): PBKDF2-HMAC-SHA1, 1,000
 * iterations, a 16-byte salt and a 32-byte subkey. V3 (0x01): then the PRF (0 SHA-1, 1 SHA-256,
 * 2 SHA-512), the iteration count and the salt's length, each a big-endian 32-bit number, the salt,
 * and the subkey.
 */
export const readAspNetIdentity: HashReader = (encoded) => {
  const blob = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded) ? base64(encoded) : null;
  if (blob === null || blob.length === 0) return null;
  if (blob[0] === 0x00) {
    if (blob.length !== 49) return null;
    return pbkdf2Blob("aspnet-identity-v2", "sha1", 1000, blob.subarray(1, 17), blob.subarray(17));
  }
  if (blob[0] !== 0x01 || blob.length < 13) return null;
  const prf = PRFS[blob.readUInt32BE(1)];
  const iterations = blob.readUInt32BE(5);
  const saltLength = blob.readUInt32BE(9);
  const subkey = blob.subarray(13 + saltLength);
  if (prf === undefined || iterations < 1 || iterations > MOST_ITERATIONS || saltLength < 16 || subkey.length < 16) return null;
  return pbkdf2Blob(`aspnet-identity-v3-${prf}`, prf, iterations, blob.subarray(13, 13 + saltLength), subkey);
};

function pbkdf2Blob(family: string, digest: string, iterations: number, salt: Buffer, subkey: Buffer) {
  return {
    family,
    cost: { iterations },
    work: { parameter: "iterations", value: iterations, perUnit: PBKDF2_ITERATIONS_PER_UNIT[digest]! },
    verify: (password: string) => bytesEqual(pbkdf2Sync(password, salt, iterations, subkey.length, digest), subkey),
  };
}
