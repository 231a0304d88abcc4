import { keyedDigest } from "../../crypto/digest.js";
import type { Keys } from "../../crypto/keys.js";
import { normalizeCode } from "../../crypto/codes.js";

/** Codes are bound to their user: the same code for another user has another digest. */
export function codeDigest(keys: Keys, userId: string, code: string): string {
  return keyedDigest(keys.codes, "password-reset", userId, normalizeCode(code));
}

export function apiTokenDigest(keys: Keys, token: string): string {
  return keyedDigest(keys.tokens, "api-token", token);
}

export function sessionTokenDigest(keys: Keys, token: string): string {
  return keyedDigest(keys.tokens, "session-token", token);
}
