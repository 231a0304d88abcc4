import { placeholders, type Sql } from "./sql.js";

/**
 * `public_password_reset` is a reset link a forgot-password request caused, as `password_reset`
 * but left out of the delivery metrics, which would tell whoever reads them which names are real.
 * `public_reset_request` (channel `internal`) is the request itself, queued alike for every name.
 */
type MessageKind = "password_reset" | "public_password_reset" | "password_changed" | "public_reset_request";
export type Channel = "email" | "sms" | "internal";

/** Messages whose existence tells that an anonymous caller named a real account: never in the metrics. */
export const UNCOUNTED_KINDS: readonly MessageKind[] = ["public_password_reset"];

interface OutboxMessage {
  /** Stable across retries, so a receiver can recognise a repeat. */
  messageId: string;
  kind: MessageKind;
  channel: Channel;
  userId: string;
  recipient: string;
  payload: Record<string, string>;
  /** The secret the message must carry, encrypted; erased once delivered or abandoned. */
  sealedSecret: string | null;
  createdAt: number;
  /** When it may first be claimed; at once when unset. */
  dueAt?: number;
}

export interface PendingMessage extends OutboxMessage {
  id: number;
  attempts: number;
  dueAt: number;
}

interface OutboxRow {
  id: number;
  message_id: string;
  kind: MessageKind;
  channel: Channel;
  user_id: string;
  recipient: string;
  payload: string;
  sealed_secret: string | null;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
}

const fromRow = (r: OutboxRow): PendingMessage => ({
  id: r.id,
  messageId: r.message_id,
  kind: r.kind,
  channel: r.channel,
  userId: r.user_id,
  recipient: r.recipient,
  payload: JSON.parse(r.payload) as Record<string, string>,
  sealedSecret: r.sealed_secret,
  attempts: r.attempts,
  createdAt: r.created_at,
  dueAt: r.next_attempt_at,
});

/** A pending row no replica holds, or whose holder's lease ran out. */
const CLAIMABLE = `status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)`;

/**
 * Messages to deliver. A worker claims due rows with a lease before sending them, so with several
 * replicas each message goes out once; a replica that dies mid-delivery leaves its rows to the
 * others when the lease runs out (at least once, with a stable Message-ID).
 */
export class Outbox {
  constructor(private readonly sql: Sql) {}

  /** Call inside the transaction of the event that causes the message. */
  async enqueue(m: OutboxMessage): Promise<void> {
    await this.sql.run(
      `INSERT INTO outbox (message_id, kind, channel, user_id, recipient, payload, sealed_secret, status, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      [
        m.messageId,
        m.kind,
        m.channel,
        m.userId,
        m.recipient,
        JSON.stringify(m.payload),
        m.sealedSecret,
        m.createdAt,
        m.dueAt ?? m.createdAt,
      ],
    );
  }

  /**
   * Leases up to `limit` due messages on these channels to `holder` until `leaseUntil`. The outer
   * condition is checked again on each row as it is locked, so two claims never take one row.
   */
  async claimDue(now: number, channels: readonly Channel[], limit: number, holder: string, leaseUntil: number): Promise<PendingMessage[]> {
    if (channels.length === 0) return [];
    const rows = await this.sql.all<OutboxRow>(
      `UPDATE outbox SET lease_owner = ?, lease_until = ?
       WHERE ${CLAIMABLE} AND id IN (
         SELECT id FROM outbox WHERE ${CLAIMABLE} AND next_attempt_at <= ? AND channel IN (${placeholders(channels.length)})
         ORDER BY next_attempt_at, id LIMIT ? ${this.sql.dialect.skipLocked})
       RETURNING *`,
      [holder, leaseUntil, now, now, now, ...channels, limit],
    );
    return rows.map(fromRow).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  /** When the next message on these channels can be claimed, if any is pending. */
  async nextDueAt(channels: readonly Channel[]): Promise<number | null> {
    if (channels.length === 0) return null;
    const row = await this.sql.get<{ due: number | null }>(
      `SELECT MIN(CASE WHEN lease_until > next_attempt_at THEN lease_until ELSE next_attempt_at END) AS due
       FROM outbox WHERE status = 'pending' AND channel IN (${placeholders(channels.length)})`,
      channels,
    );
    return row?.due ?? null;
  }

  /** Messages still to deliver, per channel (for the metrics: UNCOUNTED_KINDS left out). */
  async pendingByChannel(): Promise<{ channel: string; count: number }[]> {
    const rows = await this.sql.all<{ channel: string; n: number }>(
      `SELECT channel, COUNT(*) AS n FROM outbox WHERE status = 'pending' AND kind NOT IN (${placeholders(UNCOUNTED_KINDS.length)})
       GROUP BY channel`,
      UNCOUNTED_KINDS,
    );
    return rows.map((r) => ({ channel: r.channel, count: Number(r.n) }));
  }

  /** The rest change a row only while `holder` still holds its lease. */
  async markDelivered(id: number, holder: string, now: number): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, sealed_secret = NULL, last_error = NULL, finished_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ?`,
      [now, id, holder],
    );
  }

  async retryLater(id: number, holder: string, at: number, error: string): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ?`,
      [at, error, id, holder],
    );
  }

  /** Given up: the reason stays, the sealed secret goes. */
  async markFailed(id: number, holder: string, error: string, now: number): Promise<void> {
    await this.sql.run(
      `UPDATE outbox SET status = 'failed', attempts = attempts + 1, sealed_secret = NULL, last_error = ?, finished_at = ?,
         lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND lease_owner = ?`,
      [error, now, id, holder],
    );
  }
}
