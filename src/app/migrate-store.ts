import { PROJECTION_TABLES, type Store, type Tables } from "../store/store.js";
import type { Sql } from "../store/sql.js";
import { replayAll } from "./rebuild-projections.js";

/** Tables copied row for row: all but the projections, which are rebuilt from the events. */
const COPIED_TABLES = ["api_token_usage", "settings", "outbox", "rate_limits", "login_failures"] as const;
/** Settings that describe the target's own state, not the installation's. */
const SETTINGS_NOT_COPIED = ["projection_version"];
const PAGE = 2_000;

export class TargetNotEmptyError extends Error {
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
export async function migrateStore(source: Store, target: Store): Promise<number> {
  // Holding the source's write lock gives one consistent copy, even if a server still runs on it.
  return source.exclusive(() =>
    target.exclusive(async (tx) => {
      const existing = await tx.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM events`);
      if (Number(existing!.n) > 0) throw new TargetNotEmptyError();
      // Anything a first start of the target wrote besides events (a token, settings) gives way to the source's.
      for (const table of [...COPIED_TABLES, ...PROJECTION_TABLES]) await tx.sql.run(`DELETE FROM ${table}`);
      const events = await copyTable(
        source.sql,
        tx.sql,
        "events",
        "position",
        `instance_id, position, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at`,
      );
      for (const table of COPIED_TABLES) await copyTable(source.sql, tx.sql, table);
      await tx.sql.run(`DELETE FROM settings WHERE key IN (${SETTINGS_NOT_COPIED.map(() => "?").join(", ")})`, SETTINGS_NOT_COPIED);
      await continueNumbering(tx, "events", "position");
      await continueNumbering(tx, "outbox", "id");
      const replayed = await replayAll(tx);
      if (replayed !== events) throw new Error(`copied ${events} events but replayed ${replayed}`);
      return events;
    }),
  );
}

/** Copies every row, a page at a time in key order. */
async function copyTable(from: Sql, to: Sql, table: string, orderBy = "1", columns = "*"): Promise<number> {
  let copied = 0;
  for (let offset = 0; ; offset += PAGE) {
    const rows = await from.all<Record<string, unknown>>(`SELECT ${columns} FROM ${table} ORDER BY ${orderBy} LIMIT ? OFFSET ?`, [
      PAGE,
      offset,
    ]);
    for (const row of rows) {
      const names = Object.keys(row);
      await to.run(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`, Object.values(row));
    }
    copied += rows.length;
    if (rows.length < PAGE) return copied;
  }
}

/** After rows came with their own numbers, new ones continue after the highest. */
async function continueNumbering(tx: Tables, table: string, column: string): Promise<void> {
  if (tx.sql.dialect !== "postgres") return;
  await tx.sql.get(
    `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT COALESCE(MAX(${column}), 0) + 1 FROM ${table}), false)`,
  );
}
