import { openPostgresStore } from "./postgres/postgres-store.js";
import { openSqliteStore } from "./sqlite/sqlite-store.js";
import type { CommitObserver } from "./sqlite/group-commit.js";
import type { Store } from "./store.js";

interface StoreOptions {
  /** PostgreSQL when set (`postgres://…`); otherwise SQLite in `dataDir`. */
  url?: string | undefined;
  dataDir: string;
  poolSize?: number;
  passwordHistoryKept: number;
  /** SQLite: hears of a failed group commit. PostgreSQL: of a broken idle connection. */
  onBackgroundError?: (error: Error) => void;
  connectTimeoutMs?: number;
  /** SQLite: hears of each group commit (for the metrics). */
  onCommit?: CommitObserver;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.url === undefined) {
    return openSqliteStore({
      dataDir: options.dataDir,
      passwordHistoryKept: options.passwordHistoryKept,
      ...(options.onBackgroundError && { onCommitError: options.onBackgroundError }),
      ...(options.onCommit && { onCommit: options.onCommit }),
    });
  }
  return openPostgresStore({
    url: options.url,
    passwordHistoryKept: options.passwordHistoryKept,
    poolSize: options.poolSize ?? 10,
    ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.onBackgroundError && { onPoolError: options.onBackgroundError }),
  });
}
