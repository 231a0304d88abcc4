import type { Db } from "./database.js";

export const INSTANCE_ID = "default";

/** A domain event: its type, and its fields as the payload. */
export interface EventToAppend {
  readonly type: string;
}

export interface AppendBatch {
  aggregateType: string;
  aggregateId: string;
  owner: string;
  creator: string;
  /** The aggregate's sequence the decision was made on; 0 for a new aggregate. */
  expectedSequence: number;
  createdAt: number;
  events: readonly EventToAppend[];
}

export interface StoredEvent {
  position: number;
  aggregateType: string;
  aggregateId: string;
  sequence: number;
  type: string;
  payload: Record<string, unknown>;
  creator: string;
  owner: string;
  createdAt: number;
}

/** Another writer appended to the aggregate first: reload and decide again. */
export class ConcurrencyError extends Error {
  constructor(aggregateType: string, aggregateId: string) {
    super(`concurrent write on ${aggregateType} ${aggregateId}`);
    this.name = "ConcurrencyError";
  }
}

interface EventRow {
  position: number;
  aggregate_type: string;
  aggregate_id: string;
  sequence: number;
  event_type: string;
  payload: string;
  creator: string;
  owner: string;
  created_at: number;
}

export class EventStore {
  private readonly currentSequenceStmt;
  private readonly insertStmt;
  private readonly readPageStmt;

  /** `write` runs its work atomically and commits it (see group-commit.ts). */
  constructor(
    db: Db,
    private readonly write: <T>(work: () => T) => T,
  ) {
    this.currentSequenceStmt = db
      .prepare(
        `SELECT COALESCE(MAX(sequence), 0) FROM events
         WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ?`,
      )
      .pluck();
    this.insertStmt = db.prepare(
      `INSERT INTO events (instance_id, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at)
       VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
    );
    this.readPageStmt = db.prepare(`SELECT * FROM events WHERE instance_id = ? AND position > ? ORDER BY position LIMIT ?`);
  }

  /**
   * Appends the batch and runs `project` in the same transaction: both land or neither does.
   * Returns the aggregate's sequence after the write.
   */
  append(batch: AppendBatch, project: () => void): number {
    return this.write(() => {
      const current = this.currentSequenceStmt.get(INSTANCE_ID, batch.aggregateType, batch.aggregateId) as number;
      if (current !== batch.expectedSequence) throw new ConcurrencyError(batch.aggregateType, batch.aggregateId);
      let sequence = current;
      for (const { type, ...payload } of batch.events) {
        sequence++;
        this.insertStmt.run(
          INSTANCE_ID,
          batch.aggregateType,
          batch.aggregateId,
          sequence,
          type,
          JSON.stringify(payload),
          batch.creator,
          batch.owner,
          batch.createdAt,
        );
      }
      project();
      return sequence;
    });
  }

  /** All events in order, read a page at a time so the caller may write between pages. */
  *readAll(pageSize = 1000): Generator<StoredEvent> {
    let after = 0;
    for (;;) {
      const rows = this.readPageStmt.all(INSTANCE_ID, after, pageSize) as EventRow[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.position;
      yield* rows.map(toStoredEvent);
    }
  }
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    position: row.position,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    sequence: row.sequence,
    type: row.event_type,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    creator: row.creator,
    owner: row.owner,
    createdAt: row.created_at,
  };
}
