import type { Store } from "../../store/store.js";
import { replayAll } from "./rebuild-projections.js";

class TargetNotEmptyError extends Error {
  constructor() {
    super("the target database already holds events: migrate-store copies into an empty database only");
    this.name = "TargetNotEmptyError";
  }
}

/**
 * Copies a whole installation from one store to another (SQLite to PostgreSQL): the event log with
 * every position, sequence and payload as it is (password hashes included), the tokens, settings,
 * outbox and throttles, then rebuilds the projections on the target, all in one transaction.
 * Returns the number of events copied.
 */
export async function migrateStore(source: Store, target: Store, onEvents?: (copied: number, total: number) => void): Promise<number> {
  // Holding the source's write lock gives one consistent copy, even if a server still runs on it.
  return source.exclusive((from) =>
    target.exclusive(async (tx) => {
      if (await tx.maintenance.hasEvents()) throw new TargetNotEmptyError();
      const events = await tx.maintenance.copyFrom(from.maintenance, onEvents);
      const replayed = await replayAll(tx);
      if (replayed !== events) throw new Error(`copied ${events} events but replayed ${replayed}`);
      return events;
    }),
  );
}
