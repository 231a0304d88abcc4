import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

export interface StoreOptions {
  /** PostgreSQL when set (`postgres://…`); otherwise SQLite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolSize?: number;
  passwordHistoryKept: number;
  /** SQLite: hears of a failed group commit. PostgreSQL: of a broken idle connection. */
  onBackgroundError?: (error: Error) => void;
  connectTimeoutMs?: number;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl === undefined) {
    return openSqliteStore({
      dataDir: options.dataDir,
      passwordHistoryKept: options.passwordHistoryKept,
      ...(options.onBackgroundError && { onCommitError: options.onBackgroundError }),
    });
  }
  return openPostgresStore({
    url: options.databaseUrl,
    passwordHistoryKept: options.passwordHistoryKept,
    poolSize: options.poolSize ?? 10,
    ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.onBackgroundError && { onPoolError: options.onBackgroundError }),
  });
}
