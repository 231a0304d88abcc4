import { randomBytes, randomInt } from "node:crypto";
import { keyedBytes } from "./digest.js";

// No look-alikes: without 0/O, 1/I/L, 5/S, 2/Z, 8/B.
const CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
const CODE_LENGTH = 10; // 25^10 ≈ 2^46

export function generateCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/**
 * A code computed from a key and the parts that name it (uniform over the alphabet, by rejection
 * sampling of HMAC-SHA256 output): whoever holds the key can compute it again, so it need never
 * be stored, not even encrypted.
 */
export function deriveCode(key: Buffer, ...parts: string[]): string {
  const limit = 256 - (256 % CODE_ALPHABET.length); // bytes at or above would favour some letters
  let code = "";
  for (let block = 0; code.length < CODE_LENGTH; block++) {
    for (const byte of keyedBytes(key, String(block), ...parts)) {
      if (byte < limit && code.length < CODE_LENGTH) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return code;
}

/** Codes are typed by people: ignore case and surrounding space. */
export function normalizeCode(input: string): string {
  return input.trim().toUpperCase();
}

/** An opaque bearer token: 256 bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** A numeric id in ZITADEL's style: 18 random digits, no leading zero. */
export function generateId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 1; i < 18; i++) id += String(randomInt(10));
  return id;
}
