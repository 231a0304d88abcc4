import type Database from "better-sqlite3";
import { join } from "node:path";
import { cursorAt, readAggregateEvents, readEventsAfter } from "../events.js";
import { appenderIn, tablesOver, type Store } from "../store.js";
import { openDatabase } from "./database.js";
import { GroupCommit, type CommitObserver } from "./group-commit.js";
import { SqliteSql } from "./sqlite-sql.js";

const DATABASE_FILE = "latchkey.db";

interface SqliteOptions {
  dataDir: string;
  /** Hears of a failed group commit; by default it throws, which ends a tool's process. */
  onCommitError?: (error: Error) => void;
  onCommit?: CommitObserver;
  passwordHistoryKept: number;
}

/** The embedded store: one SQLite file in the data dir, written by this process alone. */
export function openSqliteStore(options: SqliteOptions): Store {
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const commits = new GroupCommit(
    db,
    options.onCommitError ??
      ((error) => {
        throw error;
      }),
    options.onCommit,
  );
  const statements = new Map<string, Database.Statement>();
  const shared = tablesOver(new SqliteSql(db, statements, (work) => commits.write(work)), options.passwordHistoryKept);
  // Work handed a transaction already holds it: its statements run as they come.
  const inTransaction = tablesOver(new SqliteSql(db, statements, null), options.passwordHistoryKept);
  return {
    ...shared,
    backend: "sqlite",
    append: (batch, project) => commits.write(() => appenderIn(inTransaction).append(batch, project)),
    appendAll: (batches, project) => commits.write(() => appenderIn(inTransaction).appendAll(batches, project)),
    exclusive: (work) => commits.alone(() => work(inTransaction)),
    readEventsAfter: (after, limit) => readEventsAfter(shared.sql, after, limit),
    readAggregateEvents: (aggregateId, afterPosition, limit) => readAggregateEvents(shared.sql, aggregateId, afterPosition, limit),
    cursorAt: (position) => cursorAt(shared.sql, position),
    durable: () => commits.durable(),
    hasUncommittedWrites: () => commits.isOpen(),
    ping: async () => undefined,
    pool: () => null,
    close: async () => {
      await commits.close();
      db.close();
    },
  };
}
