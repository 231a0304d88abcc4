import { timingSafeEqual } from "node:crypto";

/**
 * A password hash made by another system, read from its own encoding. `verify` is synchronous: it
 * is meant for the hash threads, never the event loop.
 */
export interface ImportedHash {
  /** The family and variant, as the hash report and the metrics name it (`pbkdf2-sha256`, `ldap-ssha`, …). */
  family: string;
  /** What one verification costs, by the parameters the encoding names (rounds, memory, …). */
  cost: Record<string, number>;
  /** The same as work in bcrypt's units (work.ts): `value` of `parameter`, `perUnit` of which cost one unit. */
  work: { parameter: string; value: number; perUnit: number };
  /** Why the scheme is weak, when it is: fast to guess from a stolen database (the hash report shows it). */
  weakness?: string;
  /** A scheme that reads only this many bytes of the password: a longer one that matches is ambiguous. */
  readsBytes?: number;
  verify(password: string): boolean;
}

/** Reads one family's encoding; null when the text is not that family's. */
export type HashReader = (encoded: string) => ImportedHash | null;

export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Base64 with or without padding, as the encodings write it; null for anything else. */
export function base64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) return null;
  return Buffer.from(text, "base64");
}

/** passlib's "adapted base64": `.` for `+`, no padding. */
export function adaptedBase64(text: string): Buffer | null {
  return /^[A-Za-z0-9./]*$/.test(text) ? base64(text.replaceAll(".", "+")) : null;
}

/** A whole number in decimal within bounds; null otherwise. */
export function wholeNumber(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^\d{1,10}$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}
