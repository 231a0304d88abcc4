import { ensureDefaultOrg } from "../../src/app/bootstrap.js";
import type { AppContext } from "../../src/app/context.js";
import { BackgroundJobs } from "../../src/app/background.js";
import { commonPasswords } from "../../src/app/common-passwords.js";
import { KeyedLock } from "../../src/app/keyed-lock.js";
import { NameLockouts } from "../../src/app/name-lockouts.js";
import { LoginAttempts } from "../../src/app/login-attempts.js";
import { deriveKeys } from "../../src/crypto/keys.js";
import { PasswordHasher } from "../../src/crypto/password-hasher.js";
import { DEFAULT_PASSWORD_POLICY } from "../../src/domain/password-policy.js";
import type { Logger } from "../../src/log.js";
import { openStore } from "../../src/store/store.js";
import { tempDataDir } from "./server.js";

/** The application layer on a real SQLite file, with a clock the test moves. */
export async function testApp(): Promise<AppContext & { now: { value: number }; logged: string[] }> {
  const store = openStore(tempDataDir());
  const now = { value: 1_700_000_000_000 };
  const logged: string[] = [];
  const log: Logger = {
    debug: (msg) => logged.push(msg),
    info: (msg) => logged.push(msg),
    warn: (msg) => logged.push(msg),
    error: (msg) => logged.push(msg),
  };
  const hasher = new PasswordHasher(4, 2);
  return {
    store,
    hasher,
    dummyHash: hasher.hash("dummy"),
    loginAttempts: new LoginAttempts({ baseMs: 0, maxMs: 0 }),
    nameLockouts: new NameLockouts(),
    background: new BackgroundJobs(log),
    outboxQueued: () => undefined,
    keys: deriveKeys(Buffer.alloc(32, 3)),
    log,
    clock: () => now.value,
    defaultOrgId: ensureDefaultOrg(store, now.value),
    userLocks: new KeyedLock(),
    settings: {
      codeTtlMs: 60_000,
      passwordPolicy: DEFAULT_PASSWORD_POLICY,
      commonPasswords: commonPasswords(),
      lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
      sessionLifetimeMs: 3_600_000,
      resetUrlTemplate: "https://x.example/{{.Code}}",
      resetUrlOrigins: ["https://x.example"],
      notifyPasswordChanged: true,
    },
    now,
    logged,
  };
}
