import { readArgon2, readDjangoArgon2 } from "./argon2.js";
import { readAspNetIdentity } from "./aspnet-identity.js";
import { readFirebaseScrypt } from "./firebase-scrypt.js";
import { readDjangoBcrypt } from "./django-bcrypt.js";
import type { HashReader, ImportedHash } from "./imported-hash.js";
import { readLdap } from "./ldap.js";
import { readMd5Crypt } from "./md5-crypt.js";
import { readPhpass } from "./phpass.js";
import { readDjangoPbkdf2, readPasslibPbkdf2 } from "./pbkdf2.js";
import { readDjangoScrypt, readScrypt } from "./scrypt.js";
import { readShaCrypt } from "./sha-crypt.js";

/** Every family this server reads besides bcrypt, each by its own encoding (a hash matches one at most). */
const READERS: readonly HashReader[] = [
  readArgon2,
  readDjangoArgon2,
  readScrypt,
  readDjangoScrypt,
  readPasslibPbkdf2,
  readDjangoPbkdf2,
  readDjangoBcrypt,
  readMd5Crypt,
  readShaCrypt,
  readPhpass,
  readLdap,
  readFirebaseScrypt,
  readAspNetIdentity, // last: a bare base64 blob, where every other family has a prefix
];

/** A hash from another system, read; null when no family reads it. */
export function readImportedHash(encoded: string): ImportedHash | null {
  if (encoded.length > 1024) return null;
  for (const read of READERS) {
    const hash = read(encoded);
    if (hash !== null) return hash;
  }
  return null;
}
