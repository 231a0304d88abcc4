import { createHash } from "node:crypto";
import { bytesEqual, type HashReader } from "./imported-hash.js";
import { CRYPT64 } from "./crypt64.js";

/**
 * phpass's portable hashes and Drupal 7's variant of them: `$P$` (WordPress) and `$H$` (phpBB),
 * iterated MD5; `$S$` (Drupal 7), iterated SHA-512, its encoding cut to 55 characters. 2^n rounds,
 * n written as one character after the identifier, then an 8-character salt.
 */
const VARIANTS: Record<string, { family: string; digest: string; characters: number; roundsPerUnit: number }> = {
  $P$: { family: "phpass", digest: "md5", characters: 22, roundsPerUnit: 41 },
  $H$: { family: "phpass-phpbb", digest: "md5", characters: 22, roundsPerUnit: 41 },
  $S$: { family: "drupal7", digest: "sha512", characters: 43, roundsPerUnit: 34 },
};

export const readPhpass: HashReader = (encoded) => {
  const match = /^(\$[PHS]\$)([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]+)$/.exec(encoded);
  const variant = match === null ? undefined : VARIANTS[match[1]!];
  if (variant === undefined || match![4]!.length !== variant.characters) return null;
  const rounds = CRYPT64.indexOf(match![2]!);
  if (rounds < 7 || rounds > 30) return null;
  const salt = match![3]!;
  const expected = Buffer.from(match![4]!);
  return {
    family: variant.family,
    cost: { rounds: 2 ** rounds },
    work: { parameter: "rounds", value: 2 ** rounds, perUnit: variant.roundsPerUnit },
    ...(variant.digest === "md5" && { weakness: "iterated MD5 (phpass): millions of guesses a second on one GPU" }),
    verify: (password) => {
      const secret = Buffer.from(password, "utf8");
      let hash = createHash(variant.digest).update(salt).update(secret).digest();
      for (let i = 0; i < 2 ** rounds; i++) hash = createHash(variant.digest).update(hash).update(secret).digest();
      return bytesEqual(Buffer.from(phpassBase64(hash).slice(0, variant.characters)), expected);
    },
  };
};

/** phpass's encode64: little-endian groups of three bytes, four characters each. */
function phpassBase64(input: Buffer): string {
  let out = "";
  for (let i = 0; i < input.length;) {
    let value = input[i++]!;
    out += CRYPT64[value & 0x3f];
    if (i < input.length) value |= input[i]! << 8;
    out += CRYPT64[(value >> 6) & 0x3f];
    if (i++ >= input.length) break;
    if (i < input.length) value |= input[i]! << 16;
    out += CRYPT64[(value >> 12) & 0x3f];
    if (i++ >= input.length) break;
    out += CRYPT64[(value >> 18) & 0x3f];
  }
  return out;
}
