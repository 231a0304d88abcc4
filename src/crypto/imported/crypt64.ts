/** The alphabet of crypt(3) and phpass: `./0-9A-Za-z`, least significant six bits first. */
export const CRYPT64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `count` characters for the 24 bits made of three bytes (most significant first). */
export function crypt64From24Bits(high: number, middle: number, low: number, count: number): string {
  let bits = (high << 16) | (middle << 8) | low;
  let out = "";
  for (let i = 0; i < count; i++, bits >>= 6) out += CRYPT64[bits & 0x3f];
  return out;
}
