import { createHash } from "node:crypto";
import { bytesEqual, type HashReader } from "./imported-hash.js";
import { crypt64From24Bits } from "./crypt64.js";

function md5(...parts: Buffer[]): Buffer {
  const hash = createHash("md5");
  for (const part of parts) hash.update(part);
  return hash.digest();
}

/** crypt(3)'s `$1$salt$hash` (Poul-Henning Kamp's FreeBSD MD5 crypt): 1,000 rounds of MD5. */
export const readMd5Crypt: HashReader = (encoded) => {
  const match = /^\$1\$([^$:\n]{0,8})\$([./0-9A-Za-z]{22})$/.exec(encoded);
  if (match === null) return null;
  const salt = Buffer.from(match[1]!, "utf8");
  return {
    family: "md5-crypt",
    cost: { rounds: 1000 },
    work: { parameter: "rounds", value: 1000, perUnit: 34 },
    weakness: "1,000 rounds of MD5 (1994): millions of guesses a second on one GPU",
    verify: (password) => bytesEqual(Buffer.from(md5Crypt(Buffer.from(password, "utf8"), salt)), Buffer.from(match[2]!)),
  };
};

function md5Crypt(password: Buffer, salt: Buffer): string {
  const alternate = md5(password, salt, password);
  const parts = [password, Buffer.from("$1$"), salt];
  for (let left = password.length; left > 0; left -= 16) parts.push(alternate.subarray(0, Math.min(16, left)));
  for (let bits = password.length; bits > 0; bits >>= 1) parts.push(bits & 1 ? Buffer.from([0]) : password.subarray(0, 1));
  let digest = md5(...parts);
  for (let round = 0; round < 1000; round++) {
    const hash = createHash("md5").update(round & 1 ? password : digest);
    if (round % 3) hash.update(salt);
    if (round % 7) hash.update(password);
    digest = hash.update(round & 1 ? digest : password).digest();
  }
  const d = digest;
  return (
    crypt64From24Bits(d[0]!, d[6]!, d[12]!, 4) +
    crypt64From24Bits(d[1]!, d[7]!, d[13]!, 4) +
    crypt64From24Bits(d[2]!, d[8]!, d[14]!, 4) +
    crypt64From24Bits(d[3]!, d[9]!, d[15]!, 4) +
    crypt64From24Bits(d[4]!, d[10]!, d[5]!, 4) +
    crypt64From24Bits(0, 0, d[11]!, 2)
  );
}
