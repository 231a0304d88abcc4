import type { Db } from "./database.js";

export type MessageKind = "password_reset" | "password_changed";
export type Channel = "email" | "sms";

export interface OutboxMessage {
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
}

export interface PendingMessage extends OutboxMessage {
  id: number;
  attempts: number;
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
});

export class Outbox {
  private readonly insertStmt;
  private readonly dueStmt;
  private readonly nextDueStmt;
  private readonly deliveredStmt;
  private readonly retryStmt;
  private readonly failedStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (message_id, kind, channel, user_id, recipient, payload, sealed_secret, status, created_at, next_attempt_at)
       VALUES (@messageId, @kind, @channel, @userId, @recipient, @payload, @sealedSecret, 'pending', @createdAt, @createdAt)`,
    );
    this.dueStmt = db.prepare(
      `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND channel IN (SELECT value FROM json_each(?))
       ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.nextDueStmt = db
      .prepare(`SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending' AND channel IN (SELECT value FROM json_each(?))`)
      .pluck();
    this.deliveredStmt = db.prepare(
      `UPDATE outbox SET status = 'delivered', attempts = attempts + 1, sealed_secret = NULL, last_error = NULL, finished_at = ? WHERE id = ?`,
    );
    this.retryStmt = db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`);
    this.failedStmt = db.prepare(
      `UPDATE outbox SET status = 'failed', attempts = attempts + 1, sealed_secret = NULL, last_error = ?, finished_at = ? WHERE id = ?`,
    );
  }

  /** Call inside the transaction of the event that causes the message. */
  enqueue(message: OutboxMessage): void {
    this.insertStmt.run({ ...message, payload: JSON.stringify(message.payload) });
  }

  /** Pending messages on these channels whose (next) attempt is due. */
  due(now: number, channels: readonly Channel[], limit: number): PendingMessage[] {
    return (this.dueStmt.all(now, JSON.stringify(channels), limit) as OutboxRow[]).map(fromRow);
  }

  /** When the next pending message on these channels is due, if any is pending. */
  nextDueAt(channels: readonly Channel[]): number | null {
    return (this.nextDueStmt.get(JSON.stringify(channels)) as number | null) ?? null;
  }

  markDelivered(id: number, now: number): void {
    this.deliveredStmt.run(now, id);
  }

  retryLater(id: number, at: number, error: string): void {
    this.retryStmt.run(at, error, id);
  }

  /** Given up: the reason stays, the sealed secret goes. */
  markFailed(id: number, error: string, now: number): void {
    this.failedStmt.run(error, now, id);
  }
}
