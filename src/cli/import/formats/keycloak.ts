import { jsonArray } from "../read-json.js";
import { namesOf, unreadable, userRecord, type SourceFormat, type SourceRecord } from "../source-record.js";
import { argon2Phc, passlibPbkdf2 } from "./hash-encodings.js";

interface KeycloakUser {
  id?: string;
  username?: string;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
  credentials?: Array<{ type?: string; secretData?: string; credentialData?: string }>;
}

interface CredentialData {
  algorithm?: string;
  hashIterations?: number;
  additionalParameters?: Record<string, string[]>;
}

const PBKDF2_DIGESTS: Record<string, string> = { pbkdf2: "sha1", "pbkdf2-sha256": "sha256", "pbkdf2-sha512": "sha512" };

/** A Keycloak realm export (`users` in it), or a users file of a split export. */
export const keycloak: SourceFormat = async function* (input) {
  for await (const parsed of jsonArray(input, "users")) {
    if ("error" in parsed) {
      yield unreadable(parsed.at, "", parsed.error);
      continue;
    }
    const user = parsed.value as KeycloakUser;
    const password = user.credentials?.find((c) => c.type === "password");
    let hash: string | undefined;
    if (password !== undefined) {
      const read = passwordHash(password.secretData, password.credentialData);
      if (typeof read !== "string") {
        yield unreadable(parsed.at, "credentials", read.reason);
        continue;
      }
      hash = read;
    }
    const names = namesOf({ given: user.firstName, family: user.lastName, fallback: user.username });
    const fields = { userId: user.id, username: user.username, email: user.email, emailVerified: user.emailVerified, names, hash };
    yield userRecord(parsed.at, fields, user.enabled === false) satisfies SourceRecord;
  }
};

/** Keycloak's secretData and credentialData (JSON in JSON strings) as one encoded hash. */
function passwordHash(secretData: string | undefined, credentialData: string | undefined): string | { reason: string } {
  let secret: { value?: string; salt?: string };
  let data: CredentialData;
  try {
    secret = JSON.parse(secretData ?? "") as typeof secret;
    data = JSON.parse(credentialData ?? "") as CredentialData;
  } catch {
    return { reason: "has a password whose secretData or credentialData is not JSON" };
  }
  const hash = Buffer.from(secret.value ?? "", "base64");
  const salt = Buffer.from(secret.salt ?? "", "base64");
  const iterations = data.hashIterations ?? 0;
  const digest = PBKDF2_DIGESTS[data.algorithm ?? ""];
  if (digest !== undefined) return passlibPbkdf2(digest, iterations, salt, hash)!;
  if (data.algorithm === "argon2") {
    const param = (name: string) => data.additionalParameters?.[name]?.[0];
    const type = param("type") ?? "id";
    if (!["id", "i", "d"].includes(type)) return { reason: `has an Argon2 password of unknown type ${type}` };
    const version = param("version") === "1.0" ? 16 : 19;
    return argon2Phc({
      type,
      version,
      memoryKiB: Number(param("memory") ?? 7168),
      passes: iterations,
      lanes: Number(param("parallelism") ?? 1),
      salt,
      hash,
    });
  }
  return { reason: `has a password hashed with ${data.algorithm ?? "no named algorithm"} which this server does not read` };
}
