import { jsonArray } from "../read-json.js";
import { namesOf, unreadable, userRecord, type SourceFormat } from "../source-record.js";

interface FirebaseUser {
  localId?: string;
  email?: string;
  emailVerified?: boolean;
  displayName?: string;
  phoneNumber?: string;
  passwordHash?: string;
  salt?: string;
  disabled?: boolean;
}

/**
 * `firebase auth:export --format=json`: `{"users": [...]}`, each hash made with the project's
 * scrypt parameters (its hash config), written in Kratos's `$firescrypt$` encoding for the server.
 */
export const firebase: SourceFormat = async function* (input, options) {
  const config = options.firebase;
  for await (const parsed of jsonArray(input, "users")) {
    if ("error" in parsed) {
      yield unreadable(parsed.at, "", parsed.error);
      continue;
    }
    const user = parsed.value as FirebaseUser;
    let hash: string | undefined;
    if (user.passwordHash !== undefined) {
      if (config === undefined) {
        yield unreadable(parsed.at, "passwordHash", "needs the project's hash config (--firebase-signer-key and the rest)");
        continue;
      }
      // Firebase's mem_cost is scrypt's log2(N), its rounds scrypt's r; p is always 1.
      const params = `ln=${config.memCost},r=${config.rounds},p=1`;
      hash = `$firescrypt$${params}$${user.salt ?? ""}$${user.passwordHash}$${config.saltSeparator}$${config.signerKey}`;
    }
    const names = namesOf({ display: user.displayName, fallback: user.email });
    // Firebase verifies a phone number by signing in with it: one it holds is verified.
    const phone = { phone: user.phoneNumber, phoneVerified: true };
    yield userRecord(
      parsed.at,
      { userId: user.localId, email: user.email, emailVerified: user.emailVerified, ...phone, names, hash },
      user.disabled === true,
    );
  }
};
