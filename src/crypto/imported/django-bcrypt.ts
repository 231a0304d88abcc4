import { createHash } from "node:crypto";
import bcrypt from "bcrypt";
import type { HashReader } from "./imported-hash.js";

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/**
 * Django's `bcrypt_sha256$$2b$…` (bcrypt over the hex SHA-256 of the password, so every byte counts)
 * and `bcrypt$$2b$…` (bcrypt over the password, which reads only its first 72 bytes).
 */
export const readDjangoBcrypt: HashReader = (encoded) => {
  const preHashed = encoded.startsWith("bcrypt_sha256$");
  if (!preHashed && !encoded.startsWith("bcrypt$")) return null;
  const inner = encoded.slice(encoded.indexOf("$") + 1).replace(/^\$2y\$/, "$2b$");
  const match = BCRYPT.exec(inner);
  if (match === null) return null;
  return {
    family: preHashed ? "django-bcrypt-sha256" : "django-bcrypt",
    cost: { bcryptCost: Number(match[1]) },
    work: { parameter: "2^cost", value: 2 ** Number(match[1]), perUnit: 1 },
    ...(!preHashed && { readsBytes: 72 }),
    verify: (password) => bcrypt.compareSync(preHashed ? createHash("sha256").update(password, "utf8").digest("hex") : password, inner),
  };
};
