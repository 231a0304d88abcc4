import type { Sql } from "./sql.js";

/** Small facts the server keeps about itself (for example the default organization's id). */
export class Settings {
  constructor(private readonly sql: Sql) {}

  async get(key: string): Promise<string | null> {
    const row = await this.sql.get<{ value: string }>(`SELECT value FROM settings WHERE key = ?`, [key]);
    return row?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    await this.sql.run(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      key,
      value,
    ]);
  }
}
