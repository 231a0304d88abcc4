import type { Db } from "./database.js";

/*
 * Group commit. With synchronous=FULL every commit waits for the disk (fsync), and better-sqlite3
 * waits on the event loop's thread, so one commit per write caps write throughput at the disk's
 * sync rate. Instead, writes made while serving calls share one transaction, committed once the
 * event loop has handled the input in hand (setImmediate): one sync for all of them.
 *
 * - Each write still runs in a savepoint of its own, so a write that throws rolls back alone.
 * - Nothing is acknowledged before it is durable: every answer awaits `durable()`, which settles
 *   when the writes made so far, and so everything the call could have read, are committed.
 * - If the commit fails, the whole group rolls back and every call waiting on it fails.
 */
export class GroupCommit {
  private group: { done: Promise<void>; resolve: () => void; reject: (error: Error) => void } | null = null;
  private readonly begin;
  private readonly commit;
  private readonly rollback;

  constructor(
    private readonly db: Db,
    private readonly onCommitError: (error: Error) => void,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commit = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
  }

  /** Runs `work` atomically in the open group, opening one if none is. */
  write<T>(work: () => T): T {
    if (this.group === null && !this.db.inTransaction) this.open();
    return this.db.transaction(work)();
  }

  /** Settles once every write made so far is committed; rejects if their commit failed. */
  durable(): Promise<void> {
    return this.group?.done ?? Promise.resolve();
  }

  isOpen(): boolean {
    return this.group !== null;
  }

  /** Commits the open group now (before closing the database); throws if the commit fails. */
  flush(): void {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    try {
      this.commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.rollback.run();
      const failure = error instanceof Error ? error : new Error(String(error));
      group.reject(failure);
      throw failure;
    }
    group.resolve();
  }

  private open(): void {
    this.begin.run();
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    done.catch(() => {}); // a group nobody awaits (background work) must not crash the process
    this.group = { done, resolve, reject };
    setImmediate(() => {
      try {
        this.flush();
      } catch (error) {
        this.onCommitError(error as Error);
      }
    });
  }
}
