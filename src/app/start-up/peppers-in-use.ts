import { pepperedHashPrefixes } from "../../crypto/stored-hash.js";
import type { Peppers } from "../../crypto/peppers.js";
import type { Store } from "../../store/store.js";

const PEPPERS_KEY = "pepper_fingerprints";

/** The configured peppers cannot verify the hashes in this database. */
class PepperMismatchError extends Error {
  constructor(message: string) {
    super(`LATCHKEY_PEPPER: ${message}`);
    this.name = "PepperMismatchError";
  }
}

/**
 * Records each configured pepper's fingerprint, and refuses to start when a pepper's id names
 * another key than before, or when a pepper that is gone still has users' hashes made under it:
 * either would fail every login of those users. A pepper no hash uses any more is forgotten.
 */
export async function ensurePeppersUsable(store: Store, peppers: Peppers): Promise<void> {
  await store.exclusive(async (tx) => {
    const recorded = JSON.parse((await tx.settings.get(PEPPERS_KEY)) ?? "{}") as Record<string, string>;
    for (const pepper of peppers.all) {
      const fingerprint = recorded[pepper.id];
      if (fingerprint !== undefined && fingerprint !== pepper.fingerprint) {
        throw new PepperMismatchError(
          `pepper "${pepper.id}" is not the one this database's hashes were made with (its fingerprint differs)`,
        );
      }
    }
    for (const id of Object.keys(recorded)) {
      if (peppers.get(id) !== undefined) continue;
      let users = 0;
      for (const prefix of pepperedHashPrefixes(id)) users += await tx.users.countWithHashPrefix(prefix);
      if (users > 0) {
        throw new PepperMismatchError(
          `pepper "${id}" is missing, but ${users} users' password hashes still use it: ` +
            "keep it configured (after the current one) until they have signed in or reset their passwords",
        );
      }
    }
    // Peppers no hash uses any more are forgotten.
    const kept = Object.fromEntries(peppers.all.map((p) => [p.id, p.fingerprint]));
    await tx.settings.set(PEPPERS_KEY, JSON.stringify(kept));
  });
}
