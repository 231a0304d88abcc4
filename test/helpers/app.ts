import { commonPasswords } from "../../src/app/passwords/common-passwords.js";
import type { AppContext } from "../../src/app/shared/context.js";
import { createAppContext } from "../../src/app/shared/create-app.js";
import { deriveKeys } from "../../src/crypto/keys.js";
import { PasswordHasher } from "../../src/crypto/password-hasher.js";
import { DEFAULT_PASSWORD_POLICY } from "../../src/domain/password-policy.js";
import { MAX_PASSWORD_HISTORY } from "../../src/domain/user.js";
import type { Logger } from "../../src/log.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/store.js";
import { freshDatabase, type Backend } from "./postgres.js";
import { tempDataDir } from "./server.js";

export type TestApp = AppContext & { now: { value: number }; logged: string[] };

/** A store of its own: a new SQLite file, or a new PostgreSQL database (`databaseUrl` to open one again). */
export async function testStore(backend: Backend, databaseUrl?: string, dataDir = tempDataDir()): Promise<Store> {
  return openStore({
    ...(backend === "postgres" && { url: databaseUrl ?? (await freshDatabase()) }),
    dataDir,
    poolSize: 4,
    passwordHistoryKept: MAX_PASSWORD_HISTORY,
  });
}

/** The application layer on a real store (SQLite file or PostgreSQL database), with a clock the test moves. */
export async function testApp(backend: Backend = "sqlite"): Promise<TestApp> {
  const store = await testStore(backend);
  const now = { value: 1_700_000_000_000 };
  const logged: string[] = [];
  const log: Logger = {
    debug: (msg) => logged.push(msg),
    info: (msg) => logged.push(msg),
    warn: (msg) => logged.push(msg),
    error: (msg) => logged.push(msg),
  };
  const app = await createAppContext({
    store,
    hasher: new PasswordHasher(4, 2),
    keys: deriveKeys(Buffer.alloc(32, 3)),
    log,
    clock: () => now.value,
    failureDelay: { baseMs: 0, maxMs: 0 },
    settings: {
      codeTtlMs: 60_000,
      passwordPolicy: DEFAULT_PASSWORD_POLICY,
      commonPasswords: commonPasswords(),
      lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
      sessionLifetimeMs: 3_600_000,
      resetUrlTemplate: "https://x.example/{{.Code}}",
      resetUrlOrigins: ["https://x.example"],
      resetRequiresVerifiedEmail: false,
      notifyPasswordChanged: true,
    },
  });
  return Object.assign(app, { now, logged });
}
