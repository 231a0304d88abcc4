import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // FULL: an acknowledged password change survives power loss, not only a process crash.
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  // Every write runs in a savepoint of its own (group-commit.ts). Its sub-journal, once it spills
  // to a temporary file, grows for the whole group; in memory it is emptied at each release.
  db.pragma("temp_store = MEMORY");
  db.pragma("busy_timeout = 5000");
  // Deleted content (an outbox row's sealed code, once delivered) is overwritten, not left in free pages.
  db.pragma("secure_delete = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    throw new Error(
      `the database's schema (version ${applied}) is newer than this Latchkey knows (${MIGRATIONS.length}): run a newer release`,
    );
  }
  for (let version = applied; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
