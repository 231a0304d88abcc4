import type { Db } from "./database.js";

/*
 * Group commit. With synchronous=FULL every commit waits for the disk (fsync), and better-sqlite3
 * waits on the event loop's thread, so one commit per write caps write throughput at the disk's
 * sync rate. Instead, writes made while serving calls share one transaction, committed once the
 * event loop has handled the input in hand (setImmediate): one sync for all of them.
 *
 * - Writes run one at a time, each in a savepoint of its own, so a write that throws rolls back
 *   alone. A write's work is asynchronous only in form (SQLite answers at once), so the queue
 *   costs a few microtasks.
 * - Nothing is acknowledged before it is durable: every answer awaits `durable()`, which settles
 *   when the writes made so far, and so everything the call could have read, are committed.
 * - If the commit fails, the whole group rolls back and every call waiting on it fails.
 */
/** Hears of each group's commit: how many writes it held, and how long the commit took. */
export type CommitObserver = (writes: number, seconds: number) => void;

export class GroupCommit {
  private group: { done: Promise<void>; resolve: () => void; reject: (error: Error) => void; writes: number } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly onCommitError: (error: Error) => void,
    private readonly onCommit: CommitObserver = () => undefined,
  ) {
    const run = (sql: string) => {
      const statement = db.prepare(sql);
      return () => statement.run();
    };
    this.statements = {
      begin: run("BEGIN IMMEDIATE"),
      commit: run("COMMIT"),
      rollback: run("ROLLBACK"),
      savepoint: run("SAVEPOINT write"),
      release: run("RELEASE write"),
      rollbackTo: run("ROLLBACK TO write"),
    };
  }

  /** Runs `work` atomically in the open group, opening one if none is. */
  write<T>(work: () => Promise<T>): Promise<T> {
    return this.serially(async () => {
      if (this.group === null) this.open();
      this.group!.writes++;
      const s = this.statements;
      s.savepoint();
      try {
        const result = await work();
        s.release();
        return result;
      } catch (error) {
        s.rollbackTo();
        s.release();
        throw error;
      }
    });
  }

  /** Runs `work` in a transaction of its own, committed before this settles (not grouped). */
  alone<T>(work: () => Promise<T>): Promise<T> {
    return this.serially(async () => {
      this.flush();
      this.statements.begin();
      try {
        const result = await work();
        this.statements.commit();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.statements.rollback();
        throw error;
      }
    });
  }

  /** Settles once every write made so far is committed; rejects if their commit failed. */
  durable(): Promise<void> {
    return this.group?.done ?? Promise.resolve();
  }

  isOpen(): boolean {
    return this.group !== null;
  }

  /** Commits the open group now; throws if the commit fails. Call between writes only. */
  flush(): void {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    const started = performance.now();
    try {
      this.statements.commit();
      this.onCommit(group.writes, (performance.now() - started) / 1000);
    } catch (error) {
      if (this.db.inTransaction) this.statements.rollback();
      const failure = error instanceof Error ? error : new Error(String(error));
      group.reject(failure);
      throw failure;
    }
    group.resolve();
  }

  /** Waits for the writes under way, then commits what is pending (before closing the database). */
  async close(): Promise<void> {
    await this.serially(async () => this.flush());
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private open(): void {
    this.statements.begin();
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    done.catch(() => {}); // a group nobody awaits (background work) must not crash the process
    this.group = { done, resolve, reject, writes: 0 };
    setImmediate(() => {
      this.serially(async () => this.flush()).catch((error: Error) => this.onCommitError(error));
    });
  }
}
