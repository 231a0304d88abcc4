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
  return onStore(dataDir, sql, params, false);
}

/** Changes the stored data of a stopped server, as an operator (or an older release) might have. */
export async function changeStore(dataDir: string, sql: string, params: unknown[] = []): Promise<void> {
  await onStore(dataDir, sql, params, true);
}

async function onStore<T>(dataDir: string, sql: string, params: unknown[], write: boolean): Promise<T[]> {
  const url = (await postgresOf(dataDir))?.url;
  if (url === undefined) {
    const db = write ? new Database(join(dataDir, "latchkey.db"), { fileMustExist: true }) : openDataDb(dataDir);
    try {
      const statement = db.prepare(sql);
      return (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[];
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
