import { ApiTokens } from "./api-tokens.js";
import { insertEvents, type AppendBatch, type EventCursor, type StoredEvent } from "./events.js";
import { Maintenance } from "./maintenance.js";
import { OrgProjection } from "./orgs.js";
import { Outbox } from "./outbox.js";
import { SessionProjection } from "./sessions.js";
import { Settings } from "./settings.js";
import type { Sql } from "./sql.js";
import { Throttles } from "./throttles.js";
import { UserProjection } from "./users.js";

/** Raised when a projection's shape or meaning changes: the server rebuilds them at start. */
export const PROJECTION_VERSION = 6;

/** Every table, through one connection or one transaction. */
export interface Tables {
  sql: Sql;
  users: UserProjection;
  sessions: SessionProjection;
  orgs: OrgProjection;
  tokens: ApiTokens;
  outbox: Outbox;
  settings: Settings;
  throttles: Throttles;
  /** Whole-store work, for an exclusive transaction. */
  maintenance: Maintenance;
}

export function tablesOver(sql: Sql, passwordHistoryKept: number): Tables {
  return {
    sql,
    users: new UserProjection(sql, passwordHistoryKept),
    sessions: new SessionProjection(sql),
    orgs: new OrgProjection(sql),
    tokens: new ApiTokens(sql),
    outbox: new Outbox(sql),
    settings: new Settings(sql),
    throttles: new Throttles(sql),
    maintenance: new Maintenance(sql),
  };
}

/**
 * The event store and its tables, on SQLite (sqlite/) or PostgreSQL (postgres/). The tables at the
 * top level read and write outside any transaction; `append` and `exclusive` hand their work the
 * same tables bound to their transaction.
 */
export interface Store extends Tables {
  readonly backend: "sqlite" | "postgres";
  /**
   * Appends the batch after its expected sequence (ConcurrencyError if another write came first)
   * and runs `project` in the same transaction: both land or neither does. Returns the
   * aggregate's sequence after the write.
   */
  append(batch: AppendBatch, project: (tx: Tables) => Promise<void>): Promise<number>;
  /** Appends several aggregates' batches and runs `project`, all in one transaction (bulk import). */
  appendAll(batches: readonly AppendBatch[], project: (tx: Tables) => Promise<void>): Promise<void>;
  /** Runs `work` in a transaction that no other `exclusive` transaction, on any replica, overlaps. */
  exclusive<T>(work: (tx: Tables) => Promise<T>): Promise<T>;
  /** Events after the cursor, in an order a reader tailing the log can trust (events.ts). */
  readEventsAfter(after: EventCursor, limit: number): Promise<StoredEvent[]>;
  /** One aggregate's events after a position, in sequence order. */
  readAggregateEvents(aggregateId: string, afterPosition: number, limit: number): Promise<StoredEvent[]>;
  /** Where a follower stands after the event at this position. */
  cursorAt(position: number): Promise<EventCursor>;
  /** Settles once everything written so far is committed (SQLite's group commit; at once on PostgreSQL). */
  durable(): Promise<void>;
  /** Whether writes made so far still wait for their commit. */
  hasUncommittedWrites(): boolean;
  /** Answers when the database does; throws StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  /** PostgreSQL's connection pool as it stands; null on SQLite. */
  pool(): { total: number; idle: number; waiting: number } | null;
  /** Commits what is pending, then closes the database. */
  close(): Promise<void>;
}

/** Appends within a transaction the caller already holds (an `exclusive` one). */
export function appenderIn(tx: Tables): Pick<Store, "append" | "appendAll"> {
  return {
    append: async (batch, project) => {
      const sequence = await insertEvents(tx.sql, batch);
      await project(tx);
      return sequence;
    },
    appendAll: async (batches, project) => {
      for (const batch of batches) await insertEvents(tx.sql, batch);
      await project(tx);
    },
  };
}
