import type { Keys } from "../crypto/keys.js";
import type { PasswordHasher } from "../crypto/password-hasher.js";
import type { PasswordPolicy } from "../domain/password-policy.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/store.js";
import type { KeyedLock } from "./keyed-lock.js";

/** What every command handler needs, handed in once at start-up. */
export interface AppContext {
  store: Store;
  hasher: PasswordHasher;
  keys: Keys;
  log: Logger;
  /** Milliseconds since the epoch; tests control it. */
  clock: () => number;
  defaultOrgId: string;
  /** Serialises writes per user within this process. */
  userLocks: KeyedLock;
  settings: {
    codeTtlMs: number;
    passwordPolicy: PasswordPolicy;
    resetUrlTemplate: string;
  };
}

/** Who is calling: recorded as the creator of the events a call writes. */
export interface Actor {
  id: string;
}
