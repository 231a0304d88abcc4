import Database from "better-sqlite3";
import { join } from "node:path";

/** The server's SQLite file, read-only, as an operator would inspect it. */
export function openDataDb(dataDir: string): Database.Database {
  return new Database(join(dataDir, "latchkey.db"), { readonly: true, fileMustExist: true });
}

export function eventTypes(dataDir: string, userId: string): string[] {
  const db = openDataDb(dataDir);
  try {
    return db.prepare(`SELECT event_type FROM events WHERE aggregate_id = ? ORDER BY sequence`).pluck().all(userId) as string[];
  } finally {
    db.close();
  }
}
