import { createHash } from "node:crypto";
import { base64, bytesEqual, type HashReader } from "./imported-hash.js";

/** The RFC 2307 schemes of LDAP directories (OpenLDAP's slappasswd): digest, then salt, in base64. */
const SCHEMES: Record<string, { digest: string; bytes: number; salted: boolean }> = {
  SSHA: { digest: "sha1", bytes: 20, salted: true },
  SSHA256: { digest: "sha256", bytes: 32, salted: true },
  SSHA512: { digest: "sha512", bytes: 64, salted: true },
  SHA: { digest: "sha1", bytes: 20, salted: false },
  MD5: { digest: "md5", bytes: 16, salted: false },
  SMD5: { digest: "md5", bytes: 16, salted: true },
};

export const readLdap: HashReader = (encoded) => {
  const match = /^\{([A-Z0-9]+)\}(.+)$/.exec(encoded);
  const scheme = match === null ? undefined : SCHEMES[match[1]!];
  const decoded = match === null ? null : base64(match[2]!);
  if (scheme === undefined || decoded === null) return null;
  if (scheme.salted ? decoded.length <= scheme.bytes : decoded.length !== scheme.bytes) return null;
  const expected = decoded.subarray(0, scheme.bytes);
  const salt = decoded.subarray(scheme.bytes);
  return {
    family: `ldap-${match![1]!.toLowerCase()}`,
    cost: { rounds: 1 },
    work: { parameter: "rounds", value: 1, perUnit: 1000 },
    weakness: scheme.salted
      ? "one fast salted digest: billions of guesses a second on one GPU"
      : "one fast digest without a salt: precomputed tables crack it",
    verify: (password) => bytesEqual(createHash(scheme.digest).update(password, "utf8").update(salt).digest(), expected),
  };
};
