import type { Db } from "./database.js";

export interface OutboxMessage {
  messageId: string;
  kind: "password_reset";
  channel: "email" | "sms";
  userId: string;
  recipient: string;
  payload: Record<string, string>;
  /** The secret the message must carry, encrypted; erased once delivered. */
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
  kind: "password_reset";
  channel: "email" | "sms";
  user_id: string;
  recipient: string;
  payload: string;
  sealed_secret: string | null;
  attempts: number;
  created_at: number;
}

export class Outbox {
  private readonly insertStmt;
  private readonly pendingStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO outbox (message_id, kind, channel, user_id, recipient, payload, sealed_secret, status, created_at)
       VALUES (@messageId, @kind, @channel, @userId, @recipient, @payload, @sealedSecret, 'pending', @createdAt)`,
    );
    this.pendingStmt = db.prepare(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY id`);
  }

  /** Call inside the transaction of the event that causes the message. */
  enqueue(message: OutboxMessage): void {
    this.insertStmt.run({ ...message, payload: JSON.stringify(message.payload) });
  }

  pending(): PendingMessage[] {
    return (this.pendingStmt.all() as OutboxRow[]).map((r) => ({
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
    }));
  }
}
