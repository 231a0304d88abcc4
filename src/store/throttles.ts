import type { Sql } from "./sql.js";

/** What a login name has seen of the lockout (see app/sessions/name-failures.ts); opaque to the store. */
type NameLockoutRecord = { value: string | null; version: number };

const WINDOW_MS = 60_000;

/**
 * Rate limits and failure counts, in the database so that every replica counts alike and a
 * restart forgets nothing. Keys are digests (app/bookkeeping-key), never what callers sent. Each
 * update is one statement that the database applies atomically, whoever runs it.
 */
export class Throttles {
  constructor(private readonly sql: Sql) {}

  /**
   * Takes one of `perMinute` calls, refilled evenly (GCRA: the row keeps the time at which the
   * key's calls would have been spread out; a call is allowed while that is at most a minute ahead).
   */
  async take(key: string, perMinute: number, now: number): Promise<boolean> {
    const interval = WINDOW_MS / perMinute;
    const start = `CASE WHEN rate_limits.tat > ? THEN rate_limits.tat ELSE ? END`;
    const allowed = `${start} + ? - ? <= ?`;
    const row = await this.sql.get<{ allowed: number }>(
      `INSERT INTO rate_limits (key, tat, allowed) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         allowed = CASE WHEN ${allowed} THEN 1 ELSE 0 END,
         tat = CASE WHEN ${allowed} THEN ${start} + ? ELSE rate_limits.tat END
       RETURNING allowed`,
      [key, now + interval, now, now, interval, now, WINDOW_MS, now, now, interval, now, WINDOW_MS, now, now, interval],
    );
    return row!.allowed === 1;
  }

  /** Counts one more login attempt under the key; returns how many came before it. */
  async countAttempt(key: string, now: number, keepMs: number): Promise<number> {
    const row = await this.sql.get<{ attempts: number }>(
      `INSERT INTO login_failures (name_key, attempts, lockout, version, expires_at) VALUES (?, 1, NULL, 0, ?)
       ON CONFLICT (name_key) DO UPDATE SET attempts = login_failures.attempts + 1, expires_at = excluded.expires_at
       RETURNING attempts`,
      [key, now + keepMs],
    );
    return row!.attempts - 1;
  }

  async lockoutOf(key: string): Promise<NameLockoutRecord | null> {
    const row = await this.sql.get<{ lockout: string | null; version: number }>(
      `SELECT lockout, version FROM login_failures WHERE name_key = ?`,
      [key],
    );
    return row === undefined ? null : { value: row.lockout, version: row.version };
  }

  /** Saves the key's lockout if nobody saved one since `version` was read; false if somebody did. */
  async saveLockout(key: string, value: string, version: number | null, now: number, keepMs: number): Promise<boolean> {
    const { changes } = await this.sql.run(
      `INSERT INTO login_failures (name_key, attempts, lockout, version, expires_at) VALUES (?, 0, ?, 1, ?)
       ON CONFLICT (name_key) DO UPDATE SET lockout = excluded.lockout, version = login_failures.version + 1, expires_at = excluded.expires_at
       WHERE login_failures.version = ?`,
      [key, value, now + keepMs, version ?? -1],
    );
    return changes === 1;
  }

  /** A successful login: the key starts afresh. */
  async forget(key: string): Promise<void> {
    await this.sql.run(`DELETE FROM login_failures WHERE name_key = ?`, [key]);
  }

  /** Drops rows that no longer change any answer. */
  async prune(now: number): Promise<number> {
    const limits = await this.sql.run(`DELETE FROM rate_limits WHERE tat < ?`, [now]);
    const failures = await this.sql.run(`DELETE FROM login_failures WHERE expires_at < ?`, [now]);
    return limits.changes + failures.changes;
  }
}
