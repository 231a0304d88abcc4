import { randomBytes, randomInt } from "node:crypto";

// No look-alikes: without 0/O, 1/I/L, 5/S, 2/Z, 8/B.
const CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679";
const CODE_LENGTH = 10; // 25^10 ≈ 2^46

export function generateCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
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
