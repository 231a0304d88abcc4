import { ARGON2_KIB_PASSES_PER_UNIT } from "./imported/work.js";

/** Argon2id's parameters (RFC 9106): memory in KiB, passes over it, and lanes. */
export interface Argon2Parameters {
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

/** The scheme new password hashes are made with (LATCHKEY_PASSWORD_HASH and its parameters). */
export type HashScheme = { name: "bcrypt"; cost: number } | ({ name: "argon2id" } & Argon2Parameters);

/** What one check at this scheme costs, in bcrypt's units (crypto/imported/work.ts). */
export function schemeUnits(scheme: HashScheme): number {
  return scheme.name === "bcrypt" ? 2 ** scheme.cost : (scheme.memoryKiB * scheme.passes) / ARGON2_KIB_PASSES_PER_UNIT;
}

/** The bcrypt cost whose check costs about as much as one at this scheme. */
export function bcryptEquivalentCost(scheme: HashScheme): number {
  return scheme.name === "bcrypt" ? scheme.cost : Math.max(4, Math.round(Math.log2(schemeUnits(scheme))));
}

export function sameArgon2Parameters(a: Argon2Parameters, b: Argon2Parameters): boolean {
  return a.memoryKiB === b.memoryKiB && a.passes === b.passes && a.parallelism === b.parallelism;
}
