import type { Db } from "./database.js";

/** Small facts the server keeps about itself (for example the default organization's id). */
export class Settings {
  private readonly getStmt;
  private readonly setStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare(`SELECT value FROM settings WHERE key = ?`).pluck();
    this.setStmt = db.prepare(`INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)`);
  }

  get(key: string): string | null {
    return (this.getStmt.get(key) as string | undefined) ?? null;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }
}
