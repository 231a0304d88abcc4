import { hkdfSync } from "node:crypto";

/** Independent keys derived from the one server secret, one per purpose. */
export interface Keys {
  codes: Buffer;
  tokens: Buffer;
  outbox: Buffer;
  /** Computes the code a reset link carries from its message's identity (never stored). */
  resetLinks: Buffer;
  /** Tells whether two processes hold the same secret, and nothing about it: stored in the database. */
  fingerprint: string;
}

function derive(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), `latchkey/${purpose}`, 32));
}

export function deriveKeys(secret: Buffer): Keys {
  return {
    codes: derive(secret, "codes"),
    tokens: derive(secret, "tokens"),
    outbox: derive(secret, "outbox"),
    resetLinks: derive(secret, "reset-links"),
    fingerprint: derive(secret, "fingerprint").subarray(0, 16).toString("base64url"),
  };
}
