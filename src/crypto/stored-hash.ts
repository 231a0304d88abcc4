import { BCRYPT_PATTERN } from "./bcrypt-format.js";
import type { Argon2Parameters } from "./hash-scheme.js";
import { readArgon2 } from "./imported/argon2.js";

/*
 * Stored password hashes of our own, and why:
 *
 * - "bcrypt-sha384:$2b$<cost>$..." : bcrypt over base64(SHA-384(password)). bcrypt reads only
 *   72 bytes of its input; pre-hashing makes every byte of a password up to the 200-character
 *   limit count, and the 64-character base64 digest has no NUL bytes for bcrypt to stop at.
 * - "bcrypt-hmac-sha384:<pepper id>:$2b$<cost>$..." (with a pepper configured): the same over
 *   base64(HMAC-SHA-384(pepper, password)), so the database alone cannot be cracked offline.
 * - "$argon2id$v=19$m=…,t=…,p=…$salt$hash" (LATCHKEY_PASSWORD_HASH=argon2id): the PHC string as
 *   every Argon2 library writes it; Argon2 reads the whole password, so nothing is pre-hashed.
 * - "argon2id-secret:<pepper id>:$argon2id$..." (with a pepper): the pepper is Argon2's secret
 *   input K (RFC 9106), made for exactly this.
 *
 * Besides: "$2a$/$2b$/$2y$<cost>$..." imported as is (standard bcrypt over the password itself),
 * and any other system's hash crypto/imported/ reads, verified as is. A successful check re-hashes
 * into the configured scheme whatever is outdated: the scheme, its parameters, or the pepper.
 */
const BCRYPT_SCHEME_PREFIX = "bcrypt-sha384:";
const BCRYPT_PEPPERED_PREFIX = "bcrypt-hmac-sha384:";
const ARGON2_PEPPERED_PREFIX = "argon2id-secret:";
/** The Argon2id version of ours (0x13); the older 0x10 is read as another system's. */
const ARGON2ID_CURRENT = "$argon2id$v=19$";

export type StoredHash =
  | {
      kind: "bcrypt";
      scheme: "bcrypt-sha384" | "bcrypt-hmac-sha384" | "bcrypt";
      /** For bcrypt-hmac-sha384: the pepper it was made under. */
      pepperId: string | null;
      bcryptHash: string;
      cost: number;
    }
  | { kind: "argon2id"; pepperId: string | null; phc: string; params: Argon2Parameters };

/** The prefixes of the stored hashes made under this pepper (how the store finds hashes still using it). */
export function pepperedHashPrefixes(pepperId: string): string[] {
  return [`${BCRYPT_PEPPERED_PREFIX}${pepperId}:`, `${ARGON2_PEPPERED_PREFIX}${pepperId}:`];
}

export function bcryptHashText(bcryptHash: string, pepperId: string | null): string {
  return (pepperId === null ? BCRYPT_SCHEME_PREFIX : `${BCRYPT_PEPPERED_PREFIX}${pepperId}:`) + bcryptHash;
}

export function argon2HashText(phc: string, pepperId: string | null): string {
  return pepperId === null ? phc : `${ARGON2_PEPPERED_PREFIX}${pepperId}:${phc}`;
}

/** Splits "<prefix><pepper id>:<rest>"; null when the text does not start so. */
function peppered(stored: string, prefix: string): { pepperId: string; rest: string } | null {
  if (!stored.startsWith(prefix)) return null;
  const rest = stored.slice(prefix.length);
  const colon = rest.indexOf(":");
  return colon < 1 ? null : { pepperId: rest.slice(0, colon), rest: rest.slice(colon + 1) };
}

/** A hash of ours or a standard bcrypt hash, read; null for anything else (another system's, or unreadable). */
export function parseStoredHash(stored: string): StoredHash | null {
  const argon2 =
    peppered(stored, ARGON2_PEPPERED_PREFIX) ?? (stored.startsWith(ARGON2ID_CURRENT) ? { pepperId: null, rest: stored } : null);
  if (argon2 !== null) return parseArgon2(argon2.rest, argon2.pepperId);
  let scheme: "bcrypt-sha384" | "bcrypt-hmac-sha384" | "bcrypt" = "bcrypt";
  let pepperId: string | null = null;
  let bcryptHash = stored;
  const withPepper = peppered(stored, BCRYPT_PEPPERED_PREFIX);
  if (stored.startsWith(BCRYPT_SCHEME_PREFIX)) {
    scheme = "bcrypt-sha384";
    bcryptHash = stored.slice(BCRYPT_SCHEME_PREFIX.length);
  } else if (withPepper !== null) {
    scheme = "bcrypt-hmac-sha384";
    pepperId = withPepper.pepperId;
    bcryptHash = withPepper.rest;
  }
  const match = BCRYPT_PATTERN.exec(bcryptHash);
  if (!match) return null;
  // $2y$ (PHP) is the same algorithm as $2b$; the native module only knows $2a$ and $2b$.
  return { kind: "bcrypt", scheme, pepperId, bcryptHash: bcryptHash.replace(/^\$2y\$/, "$2b$"), cost: Number(match[1]) };
}

function parseArgon2(phc: string, pepperId: string | null): StoredHash | null {
  const read = phc.startsWith(ARGON2ID_CURRENT) ? readArgon2(phc) : null;
  if (read === null) return null;
  const { memoryKiB, passes, parallelism } = read.cost as Record<keyof Argon2Parameters, number>;
  return { kind: "argon2id", pepperId, phc, params: { memoryKiB, passes, parallelism } };
}
