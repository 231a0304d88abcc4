import { scryptSync } from "node:crypto";
import { base64, bytesEqual, wholeNumber, type HashReader } from "./imported-hash.js";
import { SCRYPT_PER_UNIT } from "./work.js";

/** passlib's and passwap's `$scrypt$ln=…,r=…,p=…$salt$hash` (salt and hash in base64 without padding). */
export const readScrypt: HashReader = (encoded) => {
  const match = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,4}),p=(\d{1,4})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(encoded);
  if (match === null) return null;
  const logN = wholeNumber(match[1], 1, 31);
  const r = wholeNumber(match[2], 1, 1024);
  const p = wholeNumber(match[3], 1, 1024);
  const salt = base64(match[4]!);
  const expected = base64(match[5]!);
  // The whole key: scrypt's output for a shorter length is a prefix of the longer one.
  if (logN === null || r === null || p === null || salt === null || expected === null || ![32, 64].includes(expected.length)) return null;
  const N = 2 ** logN;
  return {
    family: "scrypt",
    cost: { N, r, p },
    work: { parameter: "N·r·p", value: N * r * p, perUnit: SCRYPT_PER_UNIT },
    verify: (password) => bytesEqual(scryptSync(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }), expected),
  };
};

/** Django's `scrypt$N$salt$r$p$hash` (Django 4.0 and later): the salt is text, used as its UTF-8 bytes; a 64-byte key. */
export const readDjangoScrypt: HashReader = (encoded) => {
  const [algorithm, n, salt, r, p, hash, ...rest] = encoded.split("$");
  if (algorithm !== "scrypt" || rest.length > 0 || !salt) return null;
  const N = wholeNumber(n, 2, 2 ** 31);
  const blockSize = wholeNumber(r, 1, 1024);
  const lanes = wholeNumber(p, 1, 1024);
  const expected = base64(hash ?? "");
  if (N === null || (N & (N - 1)) !== 0 || blockSize === null || lanes === null || expected?.length !== 64) return null;
  const options = { N, r: blockSize, p: lanes, maxmem: 256 * N * blockSize + 1024 * 1024 };
  return {
    family: "django-scrypt",
    cost: { N, r: blockSize, p: lanes },
    work: { parameter: "N·r·p", value: N * blockSize * lanes, perUnit: SCRYPT_PER_UNIT },
    verify: (password) => bytesEqual(scryptSync(password, Buffer.from(salt, "utf8"), 64, options), expected),
  };
};
