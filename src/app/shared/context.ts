import type { Keys } from "../../crypto/keys.js";
import type { PasswordHasher } from "../../crypto/password-hasher.js";
import type { LockoutPolicy } from "../../domain/lockout.js";
import type { PasswordPolicy } from "../../domain/password-policy.js";
import type { Logger } from "../../log.js";
import type { Metrics } from "../../metrics.js";
import type { Store } from "../../store/store.js";
import type { BackgroundJobs } from "./background-jobs.js";
import type { BreachedPasswords } from "../passwords/breached-passwords.js";
import type { KeyedLock } from "./keyed-lock.js";
import type { NameFailures } from "../sessions/name-failures.js";

/** What every command handler needs, handed in once at start-up. */
export interface AppContext {
  store: Store;
  hasher: PasswordHasher;
  /**
   * A hash at the current cost, compared against when a login name is unknown, so both take as
   * long. Made while the server starts, not before it listens.
   */
  dummyHash: Promise<string>;
  keys: Keys;
  log: Logger;
  metrics: Metrics;
  /** Milliseconds since the epoch; tests control it. */
  clock: () => number;
  defaultOrgId: string;
  /** Serialises writes per user within this process. */
  userLocks: KeyedLock;
  /** Pacing and lockout as each login name has seen them (sessions/name-failures.ts). */
  nameFailures: NameFailures;
  background: BackgroundJobs;
  /** Called after a write that queued outbox messages, so delivery starts at once. */
  outboxQueued: () => void;
  settings: {
    codeTtlMs: number;
    passwordPolicy: PasswordPolicy;
    commonPasswords: ReadonlySet<string>;
    /** A breached-password list (breached-passwords.ts), when one is configured. */
    breachedPasswords?: BreachedPasswords | null;
    lockout: LockoutPolicy;
    sessionLifetimeMs: number;
    resetUrlTemplate: string;
    /** Origins a caller-supplied reset link may point at (the default template's is always allowed). */
    resetUrlOrigins: readonly string[];
    /** Reset links by e-mail go only to verified addresses. */
    resetRequiresVerifiedEmail: boolean;
    /** Tell users by e-mail whenever their password changes. */
    notifyPasswordChanged: boolean;
  };
}

/** Who is calling: recorded as the creator of the events a call writes. */
export interface Actor {
  id: string;
}
