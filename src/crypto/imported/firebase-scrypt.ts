import { createCipheriv, scryptSync } from "node:crypto";
import { base64, bytesEqual, wholeNumber, type HashReader } from "./imported-hash.js";
import { SCRYPT_PER_UNIT } from "./work.js";

/**
 * Firebase Authentication's modified scrypt, in Kratos's encoding:
 * `$firescrypt$ln=…,r=…,p=…$salt$hash$saltSeparator$signerKey` (all base64). The password's
 * scrypt key, over the salt and the project's separator, encrypts the project's signer key with
 * AES-256-CTR; the stored hash is that ciphertext.
 */
export const readFirebaseScrypt: HashReader = (encoded) => {
  const [empty, ident, params, salt, hash, separator, signerKey, ...rest] = encoded.split("$");
  if (empty !== "" || ident !== "firescrypt" || rest.length > 0) return null;
  const match = /^ln=(\d{1,2}),r=(\d{1,4}),p=(\d{1,4})$/.exec(params ?? "");
  const logN = wholeNumber(match?.[1], 1, 31);
  const r = wholeNumber(match?.[2], 1, 1024);
  const p = wholeNumber(match?.[3], 1, 1024);
  const [saltBytes, expected, separatorBytes, key] = [salt, hash, separator, signerKey].map((part) => base64(part ?? ""));
  if (logN === null || r === null || p === null || !saltBytes || !expected || !separatorBytes || !key || key.length === 0) return null;
  if (expected.length !== key.length) return null;
  const N = 2 ** logN;
  return {
    family: "firebase-scrypt",
    cost: { N, r, p },
    work: { parameter: "N·r·p", value: N * r * p, perUnit: SCRYPT_PER_UNIT },
    verify: (password) => {
      const derived = scryptSync(password, Buffer.concat([saltBytes, separatorBytes]), 32, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
      const cipher = createCipheriv("aes-256-ctr", derived, Buffer.alloc(16));
      return bytesEqual(Buffer.concat([cipher.update(key), cipher.final()]), expected);
    },
  };
};
