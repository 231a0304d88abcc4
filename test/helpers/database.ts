import Database from "better-sqlite3";
import { join } from "node:path";
import pg from "pg";
import { postgresOf } from "./postgres.js";

/** The server's SQLite file, read-only, as an operator would inspect it. */
export function openDataDb(dataDir: string): Database.Database {
  return new Database(join(dataDir, "latchkey.db"), { readonly: true, fileMustExist: true });
}

/**
 * Rows of a query (`?` placeholders) on the store of the server that ran on this data dir, SQLite
 * or PostgreSQL, as an operator would inspect it.
 */
export async function storeRows<T>(dataDir: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const url = (await postgresOf(dataDir))?.url;
  if (url === undefined) {
    const db = openDataDb(dataDir);
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  const client = new pg.Client({ connectionString: url });
  client.setTypeParser(pg.types.builtins.INT8, Number);
  await client.connect();
  try {
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}

export async function eventTypes(dataDir: string, userId: string): Promise<string[]> {
  const rows = await storeRows<{ event_type: string }>(dataDir, `SELECT event_type FROM events WHERE aggregate_id = ? ORDER BY sequence`, [
    userId,
  ]);
  return rows.map((r) => r.event_type);
}
