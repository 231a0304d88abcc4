/**
 * The one way table code talks to a database: statements with `?` placeholders, run on SQLite or
 * PostgreSQL alike. Table code is written once against it (users.ts, outbox.ts, …); each backend
 * supplies one for its shared connection and one per transaction.
 */
export interface Sql {
  /** What the backend says its own way; shared table code asks it, never for the backend's name. */
  readonly dialect: Dialect;
  get<T>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<T | undefined>;
  all<T>(sql: string, params?: readonly unknown[], options?: StatementOptions): Promise<T[]>;
  /** Runs a statement; `changes` counts the rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

/** The operations whose SQL differs between the backends. */
export interface Dialect {
  /**
   * A list of texts as one parameter: a table expression with one column, `value`, for
   * `IN (SELECT value FROM …)`, so that no list runs into the database's limit on parameters.
   */
  textList(values: readonly string[]): { table: string; param: unknown };
  /** A condition: `text` ends with `suffix`, an expression `length` characters long (length > 0). */
  endsWith(text: string, suffix: string, length: number): string;
  /** A condition: `text` contains `part`. */
  contains(text: string, part: string): string;
  /** Ends a subquery that picks rows to claim, so that concurrent claims pass each other's rows by. */
  readonly skipLocked: string;
  /**
   * Whether a transaction may read writes that can still roll back (SQLite's group commit): an
   * append then checks the aggregate's sequence itself, since the unique key alone would let a
   * batch leave a gap after a rolled-back one.
   */
  readonly readsUncommitted: boolean;
  /** Reading the log in an order no later read contradicts (events.ts). */
  readonly log: LogOrder;
  /** Statements that keep writers out until the transaction ends (rebuilding the projections). */
  readonly holdWriters: readonly string[];
  /** Statements after rows came with their own numbers in `column`: new rows continue after the highest. */
  continueNumbering(table: string, column: string): readonly string[];
}

export interface LogOrder {
  /** An event's transaction id as text; NULL where positions commit in order. */
  readonly transactionId: string;
  /** The condition and order for events after a cursor at `?` parameters (transaction id, position). */
  readonly after: string;
  readonly orderBy: string;
  /** The parameters `after` takes, from a cursor. */
  params(cursor: { transactionId: string; position: number }): unknown[];
}

export interface StatementOptions {
  /**
   * False for a statement built for one request (a search): it is not kept prepared, so that
   * callers varying its shape cannot fill the cache of prepared statements.
   */
  keep?: boolean;
}

/** A statement broke a unique constraint on `table`. */
export class UniqueViolation extends Error {
  constructor(readonly table: string) {
    super(`unique constraint violated on ${table}`);
    this.name = "UniqueViolation";
  }
}

/** The database cannot be reached (or is shutting down): worth trying again later, not a bug. */
export class StoreUnavailableError extends Error {
  constructor(cause: string) {
    super(`the database is unavailable: ${cause}`);
    this.name = "StoreUnavailableError";
  }
}

/** Inserts a row, or replaces every column of the row with the same key. */
export function upsertStatement(table: string, columns: readonly string[], key: string): string {
  const updates = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
          ON CONFLICT (${key}) DO UPDATE SET ${updates.join(", ")}`;
}

/** `?, ?, ?` for a list of n values. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => "?").join(", ");
