import type { ImportedHash } from "./imported-hash.js";

/*
 * Work is counted in bcrypt's units: a compare at cost c does 2^c of them (about 60 µs each on a
 * current core). The readers say how much of their parameter costs one unit, as measured against
 * bcrypt on one thread (Node's crypto for PBKDF2 and scrypt, @node-rs/argon2, and our crypt(3) and
 * phpass code); the ratios hold across machines to within a factor of about two, which is enough
 * for a bound. The hash threads pad a failed check by the time it really took (hash-workers.ts).
 */

/** PBKDF2 iterations that cost about one bcrypt unit, by digest. */
export const PBKDF2_ITERATIONS_PER_UNIT: Record<string, number> = { sha1: 116, sha256: 232, sha512: 95 };
/** scrypt's N·r·p that costs about one bcrypt unit. */
export const SCRYPT_PER_UNIT = 150;
/** Argon2's memory (KiB) times passes that costs about one bcrypt unit, whatever the lanes. */
export const ARGON2_KIB_PASSES_PER_UNIT = 157;

/** An imported hash may cost about this many times a compare at the configured cost. */
const MOST_TIMES_CONFIGURED = 4;

export function bcryptUnits(hash: ImportedHash): number {
  return hash.work.value / hash.work.perUnit;
}

/** Why a hash costs too much to import where a check costs `configuredUnits`, or null when it does not. */
export function tooCostly(hash: ImportedHash, configuredUnits: number): string | null {
  const most = MOST_TIMES_CONFIGURED * configuredUnits;
  if (bcryptUnits(hash) <= most) return null;
  const { parameter, value, perUnit } = hash.work;
  // No , : / ? and the like: the message travels in grpc-message (domain/errors.ts).
  return `has ${parameter} ${value} which costs more than this server checks. At most ${Math.floor(most * perUnit)} for ${hash.family} here (about ${MOST_TIMES_CONFIGURED} times a check at its own cost)`;
}
