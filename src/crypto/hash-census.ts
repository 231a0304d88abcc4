import { readImportedHash } from "./imported/read-imported-hash.js";
import { parseStoredHash } from "./stored-hash.js";

/** The scheme a stored hash uses, as the hash report and the metric name it, and why it is weak when it is. */
export interface StoredScheme {
  scheme: string;
  weakness?: string;
}

/**
 * Our own schemes by their stored names (bcrypt-sha384, bcrypt-hmac-sha384, argon2id,
 * argon2id-secret), an imported standard bcrypt hash as `bcrypt`, another system's by its
 * family (crypto/imported/), `none` for a user without a password, `unreadable` for the rest.
 */
export function schemeOf(stored: string | null): StoredScheme {
  if (stored === null) return { scheme: "none" };
  const ours = parseStoredHash(stored);
  if (ours?.kind === "bcrypt") return { scheme: ours.scheme };
  if (ours?.kind === "argon2id") return { scheme: ours.pepperId === null ? "argon2id" : "argon2id-secret" };
  const imported = readImportedHash(stored);
  if (imported === null) return { scheme: "unreadable" };
  return { scheme: imported.family, ...(imported.weakness !== undefined && { weakness: imported.weakness }) };
}
