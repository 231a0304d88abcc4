import { createHash } from "node:crypto";
import bcrypt from "bcrypt";
import { BCRYPT_INPUT_BYTES, BCRYPT_PATTERN } from "../bcrypt-format.js";
import type { HashReader } from "./imported-hash.js";

/**
 * Django's `bcrypt_sha256$$2b$…` (bcrypt over the hex SHA-256 of the password, so every byte counts)
 * and `bcrypt$$2b$…` (bcrypt over the password, which reads only its first 72 bytes).
 */
export const readDjangoBcrypt: HashReader = (encoded) => {
  const preHashed = encoded.startsWith("bcrypt_sha256$");
  if (!preHashed && !encoded.startsWith("bcrypt$")) return null;
  const inner = encoded.slice(encoded.indexOf("$") + 1).replace(/^\$2y\$/, "$2b$");
  const match = BCRYPT_PATTERN.exec(inner);
  if (match === null) return null;
  return {
    family: preHashed ? "django-bcrypt-sha256" : "django-bcrypt",
    cost: { bcryptCost: Number(match[1]) },
    work: { parameter: "2^cost", value: 2 ** Number(match[1]), perUnit: 1 },
    ...(!preHashed && { readsBytes: BCRYPT_INPUT_BYTES }),
    verify: (password) => bcrypt.compareSync(preHashed ? createHash("sha256").update(password, "utf8").digest("hex") : password, inner),
  };
};
