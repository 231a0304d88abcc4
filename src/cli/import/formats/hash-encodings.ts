/** Another system's parts of a hash, re-encoded in a form crypto/imported/ reads. */

/** passlib's adapted base64: no padding, `.` for `+`. */
export const adaptedBase64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "").replaceAll("+", ".");
const unpadded = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

const PASSLIB_PBKDF2: Record<string, string> = { sha1: "pbkdf2", sha256: "pbkdf2-sha256", sha512: "pbkdf2-sha512" };

/** PBKDF2 in passlib's encoding, for a digest it names (sha1, sha256, sha512); null for another. */
export function passlibPbkdf2(digest: string, iterations: number, salt: Buffer, hash: Buffer): string | null {
  const ident = PASSLIB_PBKDF2[digest];
  return ident === undefined ? null : `$${ident}$${iterations}$${adaptedBase64(salt)}$${adaptedBase64(hash)}`;
}

/** Argon2 in the PHC string format. */
export function argon2Phc(p: {
  type: string;
  version: 16 | 19;
  memoryKiB: number;
  passes: number;
  lanes: number;
  salt: Buffer;
  hash: Buffer;
}): string {
  return `$argon2${p.type}$v=${p.version}$m=${p.memoryKiB},t=${p.passes},p=${p.lanes}$${unpadded(p.salt)}$${unpadded(p.hash)}`;
}

const LDAP_SALTED: Record<string, string> = { sha1: "SSHA", sha256: "SSHA256", sha512: "SSHA512", md5: "SMD5" };
const LDAP_PLAIN: Record<string, string> = { sha1: "SHA", md5: "MD5" };

/**
 * digest(password + salt) as the LDAP scheme that computes exactly that (RFC 2307's salted
 * schemes put the salt after the password); null when no scheme does.
 */
export function ldapDigest(digest: string, hash: Buffer, saltAfterPassword: Buffer | null): string | null {
  const scheme = saltAfterPassword === null || saltAfterPassword.length === 0 ? LDAP_PLAIN[digest] : LDAP_SALTED[digest];
  if (scheme === undefined) return null;
  return `{${scheme}}${Buffer.concat([hash, saltAfterPassword ?? Buffer.alloc(0)]).toString("base64")}`;
}

/** PBKDF2 in the PHC-like form Auth0 and Kratos write (`$pbkdf2-sha256$i=…,l=…$salt$hash`, standard base64) as passlib's; null for another form. */
export function passlibFromPhcPbkdf2(value: string): string | null {
  const match = /^\$pbkdf2-(sha1|sha256|sha512)\$i=(\d{1,10})(?:,l=\d{1,4})?\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(value);
  if (match === null) return null;
  return passlibPbkdf2(match[1]!, Number(match[2]), Buffer.from(match[3]!, "base64"), Buffer.from(match[4]!, "base64"));
}
