import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** HMAC-SHA256 over the parts, unambiguously joined. */
export function keyedBytes(key: Buffer, ...parts: string[]): Buffer {
  const mac = createHmac("sha256", key);
  for (const part of parts) mac.update(`${Buffer.byteLength(part)}:${part};`);
  return mac.digest();
}

/** What we store instead of a code or token. */
export function keyedDigest(key: Buffer, ...parts: string[]): string {
  return keyedBytes(key, ...parts).toString("base64url");
}

export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A fixed-size (22 characters) stand-in for a caller-chosen key, so that in-memory bookkeeping
 * (rate limits, failure pacing) costs the same bytes per entry whatever the caller sends.
 */
export function bookkeepingKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("base64url").slice(0, 22);
}
