import { jsonLines } from "../read-json.js";
import { namesOf, unreadable, userRecord, type SourceFormat } from "../source-record.js";
import { ldapDigest, passlibFromPhcPbkdf2 } from "./hash-encodings.js";

interface Auth0User {
  user_id?: string;
  email?: string;
  email_verified?: boolean;
  username?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  blocked?: boolean;
  phone_number?: string;
  phone_verified?: boolean;
  /** bcrypt, as Auth0's bulk import schema names it. */
  password_hash?: string;
  /** bcrypt, as Auth0's password-hash export writes it. */
  passwordHash?: string;
  custom_password_hash?: CustomPasswordHash;
}

interface CustomPasswordHash {
  algorithm?: string;
  hash?: { value?: string; encoding?: string };
  salt?: { value?: string; encoding?: string; position?: string };
  password?: { encoding?: string };
}

/** Auth0's user export, or a bulk-import file, as JSON lines. */
export const auth0: SourceFormat = async function* (input) {
  for await (const parsed of jsonLines(input)) {
    if ("error" in parsed) {
      yield unreadable(parsed.at, "", parsed.error);
      continue;
    }
    const user = parsed.value as Auth0User;
    if (typeof user !== "object" || user === null) {
      yield unreadable(parsed.at, "", "is not a JSON object");
      continue;
    }
    const hash =
      user.custom_password_hash === undefined ? (user.password_hash ?? user.passwordHash) : customHash(user.custom_password_hash);
    if (typeof hash === "object") {
      yield unreadable(parsed.at, "custom_password_hash", hash.reason);
      continue;
    }
    // An export's user_id carries its connection's strategy ("auth0|…"); the import schema's does not.
    const userId = user.user_id?.replace(/^[^|]*\|/, "");
    const names = namesOf({ given: user.given_name, family: user.family_name, display: user.name, fallback: user.username ?? user.email });
    const fields = {
      userId,
      username: user.username,
      email: user.email,
      emailVerified: user.email_verified,
      phone: user.phone_number,
      phoneVerified: user.phone_verified,
      names,
      hash,
    };
    yield userRecord(parsed.at, fields, user.blocked === true);
  }
};

const bytesOf = (value: string | undefined, encoding: string | undefined): Buffer =>
  Buffer.from(value ?? "", encoding === "base64" ? "base64" : encoding === "hex" ? "hex" : "utf8");

/** Auth0's custom_password_hash as an encoding crypto/imported/ reads. */
function customHash(custom: CustomPasswordHash): string | { reason: string } {
  const algorithm = custom.algorithm ?? "";
  const value = custom.hash?.value ?? "";
  if ((custom.password?.encoding ?? "utf8") !== "utf8")
    return { reason: `has passwords encoded as ${custom.password?.encoding} which this server does not read` };
  if (["bcrypt", "argon2", "ldap"].includes(algorithm)) return value; // already in modular crypt, PHC or RFC 2307 form
  if (algorithm === "pbkdf2") {
    // The PHC form Auth0 takes: $pbkdf2-sha256$i=…,l=…$salt$hash (standard base64).
    return passlibFromPhcPbkdf2(value) ?? { reason: "has a pbkdf2 hash not in the PHC form $pbkdf2-<digest>$i=…,l=…$salt$hash" };
  }
  if (["md5", "sha1", "sha256", "sha512"].includes(algorithm)) {
    const salt = custom.salt === undefined ? null : bytesOf(custom.salt.value, custom.salt.encoding);
    if (salt !== null && custom.salt?.position !== "suffix") {
      return { reason: `has a ${algorithm} hash salted before the password which this server does not read` };
    }
    const encoded = ldapDigest(algorithm, bytesOf(value, custom.hash?.encoding ?? "hex"), salt);
    return encoded ?? { reason: `has an unsalted ${algorithm} hash which this server does not read` };
  }
  return { reason: `has a hash made with ${algorithm || "no named algorithm"} which this server does not read` };
}
