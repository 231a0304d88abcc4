import { jsonArray } from "../read-json.js";
import { namesOf, unreadable, userRecord, type SourceFormat } from "../source-record.js";
import { passlibFromPhcPbkdf2 } from "./hash-encodings.js";

interface KratosIdentity {
  id?: string;
  state?: string;
  traits?: { email?: string; username?: string; name?: string | { first?: string; last?: string } };
  verifiable_addresses?: Array<{ value?: string; verified?: boolean }>;
  credentials?: { password?: { config?: { hashed_password?: string } } };
}

/** Ory Kratos identities (an array, as its admin API lists them and its import takes them). */
export const kratos: SourceFormat = async function* (input) {
  for await (const parsed of jsonArray(input)) {
    if ("error" in parsed) {
      yield unreadable(parsed.at, "", parsed.error);
      continue;
    }
    const identity = parsed.value as KratosIdentity;
    if (typeof identity.traits !== "object" || identity.traits === null) {
      yield unreadable(parsed.at, "traits", "is missing: not a Kratos identity");
      continue;
    }
    const { email, username, name } = identity.traits;
    const names =
      typeof name === "object" && name !== null
        ? namesOf({ given: name.first, family: name.last, fallback: username ?? email })
        : namesOf({ display: name, fallback: username ?? email });
    const verified = identity.verifiable_addresses?.some((a) => a.verified === true && a.value?.toLowerCase() === email?.toLowerCase());
    const stored = identity.credentials?.password?.config?.hashed_password;
    // Kratos writes PBKDF2 as $pbkdf2-<digest>$i=…,l=…$salt$hash; its other families as the server reads them.
    const hash = stored === undefined ? undefined : (passlibFromPhcPbkdf2(stored) ?? stored);
    yield userRecord(
      parsed.at,
      { userId: identity.id, username, email, emailVerified: verified, names, hash },
      identity.state === "inactive",
    );
  }
};
