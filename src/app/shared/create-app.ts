import { generateToken } from "../../crypto/codes.js";
import type { Keys } from "../../crypto/keys.js";
import type { PasswordHasher } from "../../crypto/password-hasher.js";
import type { Logger } from "../../log.js";
import { Metrics } from "../../metrics.js";
import type { Store } from "../../store/store.js";
import { BackgroundJobs } from "./background-jobs.js";
import { ensureDefaultOrg } from "../start-up/bootstrap.js";
import type { AppContext } from "./context.js";
import { KeyedLock } from "./keyed-lock.js";
import { NameFailures, type FailureDelay } from "../sessions/name-failures.js";

interface AppParts {
  store: Store;
  keys: Keys;
  log: Logger;
  /** Defaults to metrics nobody scrapes. */
  metrics?: Metrics;
  hasher: PasswordHasher;
  clock: () => number;
  failureDelay: FailureDelay;
  settings: AppContext["settings"];
  outboxQueued?: () => void;
}

/** The application context, as the server and the tests alike build it (the default org made if missing). */
export async function createAppContext(parts: AppParts): Promise<AppContext> {
  const { failureDelay, ...rest } = parts;
  const metrics = parts.metrics ?? new Metrics();
  const dummyHash = parts.hasher.hash(generateToken());
  dummyHash.catch(() => {}); // made in the background: a failure shows where it is awaited, not as a crash
  return {
    ...rest,
    metrics,
    dummyHash,
    defaultOrgId: await ensureDefaultOrg(parts.store, parts.clock()),
    userLocks: new KeyedLock(),
    nameFailures: new NameFailures(parts.store.throttles, failureDelay, (reason) => metrics.lockedOut(reason)),
    background: new BackgroundJobs(parts.log),
    outboxQueued: parts.outboxQueued ?? (() => undefined),
  };
}
