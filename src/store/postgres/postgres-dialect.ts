import type { Dialect } from "../sql.js";

export const POSTGRES_DIALECT: Dialect = {
  textList: (values) => ({ table: "unnest(?::text[]) AS list(value)", param: values }),
  endsWith: (text, suffix, length) => `right(${text}, ${length}) = ${suffix}`,
  contains: (text, part) => `strpos(${text}, ${part}) > 0`,
  skipLocked: "FOR UPDATE SKIP LOCKED",
  readsUncommitted: false,
  // A transaction that took a lower position may commit after one with a higher position; reading
  // only below the oldest transaction still running (the snapshot's xmin), ordered by transaction
  // id, never skips an event a later read would find (the approach of Emmett's PostgreSQL store).
  log: {
    transactionId: "transaction_id::text",
    after: "(transaction_id, position) > (?::xid8, ?::bigint) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())",
    // The table's columns, not the text the SELECT makes of the id: "10" sorts before "9".
    orderBy: "events.transaction_id, events.position",
    params: (cursor) => [cursor.transactionId, cursor.position],
  },
  // Writers on other replicas wait until the transaction commits, so a replay misses none of their events.
  holdWriters: ["LOCK TABLE events IN SHARE MODE"],
  continueNumbering: (table, column) => [
    `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT COALESCE(MAX(${column}), 0) + 1 FROM ${table}), false)`,
  ],
};
