import { createHash } from "node:crypto";
import { bytesEqual, type HashReader } from "./imported-hash.js";
import { CRYPT64 } from "./crypt64.js";

/** phpass's portable hashes, `$P$` (WordPress) and `$H$` (phpBB): iterated MD5, 2^n rounds. */
export const readPhpass: HashReader = (encoded) => {
  const match = /^(\$[PH]\$)([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]{22})$/.exec(encoded);
  if (match === null) return null;
  const rounds = CRYPT64.indexOf(match[2]!);
  if (rounds < 7 || rounds > 30) return null;
  const salt = match[3]!;
  const expected = Buffer.from(match[4]!);
  return {
    family: match[1] === "$P$" ? "phpass" : "phpass-phpbb",
    cost: { rounds: 2 ** rounds },
    verify: (password) => {
      const secret = Buffer.from(password, "utf8");
      let hash = createHash("md5").update(salt).update(secret).digest();
      for (let i = 0; i < 2 ** rounds; i++) hash = createHash("md5").update(hash).update(secret).digest();
      return bytesEqual(Buffer.from(phpassBase64(hash)), expected);
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
