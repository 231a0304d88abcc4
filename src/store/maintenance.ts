import { readAllEvents, type StoredEvent } from "./events.js";
import { placeholders, type Sql } from "./sql.js";

/** Tables rebuilt from events alone; everything else (token uses, outbox, settings, throttles) is not derived. */
const PROJECTION_TABLES = ["users", "login_names", "orgs", "sessions", "api_tokens"] as const;
/** Tables copied row for row: all but the projections, which are rebuilt from the events. */
const COPIED_TABLES = ["api_token_usage", "settings", "outbox", "rate_limits", "login_failures"] as const;
/** Settings that describe the target's own state, not the installation's. */
const SETTINGS_NOT_COPIED = ["projection_version"];
const EVENT_COLUMNS =
  "instance_id, position, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at";
const PAGE = 2_000;

/** Work on the whole store, for an exclusive transaction: rebuilding the projections, copying an installation. */
export class Maintenance {
  constructor(private readonly sql: Sql) {}

  /** Keeps writers on every replica out until the transaction ends, so a replay misses none of their events. */
  async holdWriters(): Promise<void> {
    for (const statement of this.sql.dialect.holdWriters) await this.sql.run(statement);
  }

  async clearProjections(): Promise<void> {
    for (const table of PROJECTION_TABLES) await this.sql.run(`DELETE FROM ${table}`);
  }

  /** Every committed event by position, a page at a time. */
  allEvents(): AsyncGenerator<StoredEvent> {
    return readAllEvents(this.sql);
  }

  async hasEvents(): Promise<boolean> {
    return (await this.sql.get(`SELECT 1 AS found FROM events LIMIT 1`)) !== undefined;
  }

  /**
   * Replaces this store's contents with the source's (projections aside, which the caller rebuilds):
   * the event log with every position, sequence and payload as it is, the tokens' uses, settings,
   * outbox and throttles. Returns the number of events copied.
   */
  async copyFrom(source: Maintenance, onEvents: (copied: number, total: number) => void = () => undefined): Promise<number> {
    // Anything a first start of the target wrote besides events (a token, settings) gives way to the source's.
    for (const table of [...COPIED_TABLES, ...PROJECTION_TABLES]) await this.sql.run(`DELETE FROM ${table}`);
    const total = Number((await source.sql.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM events`))!.n);
    const events = await this.copyTable(source, "events", "position", EVENT_COLUMNS, (copied) => onEvents(copied, total));
    for (const table of COPIED_TABLES) await this.copyTable(source, table);
    await this.sql.run(`DELETE FROM settings WHERE key IN (${placeholders(SETTINGS_NOT_COPIED.length)})`, SETTINGS_NOT_COPIED);
    for (const [table, column] of [
      ["events", "position"],
      ["outbox", "id"],
    ] as const) {
      for (const statement of this.sql.dialect.continueNumbering(table, column)) await this.sql.run(statement);
    }
    return events;
  }

  /** Copies every row of a table from the source, a page at a time in key order. */
  private async copyTable(
    source: Maintenance,
    table: string,
    orderBy = "1",
    columns = "*",
    onPage: (copied: number) => void = () => undefined,
  ): Promise<number> {
    let copied = 0;
    for (let offset = 0; ; offset += PAGE) {
      const rows = await source.sql.all<Record<string, unknown>>(`SELECT ${columns} FROM ${table} ORDER BY ${orderBy} LIMIT ? OFFSET ?`, [
        PAGE,
        offset,
      ]);
      for (const row of rows) {
        const names = Object.keys(row);
        await this.sql.run(`INSERT INTO ${table} (${names.join(", ")}) VALUES (${placeholders(names.length)})`, Object.values(row));
      }
      copied += rows.length;
      onPage(copied);
      if (rows.length < PAGE) return copied;
    }
  }
}
