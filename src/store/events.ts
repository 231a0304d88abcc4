import { placeholders, UniqueViolation, type Sql } from "./sql.js";

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

/**
 * Where a reader is in the global order. On PostgreSQL, positions are handed out before commit,
 * so they commit out of order; the order a reader can trust is (transaction id, position) up to
 * the oldest transaction still running (see readEventsAfter).
 */
export interface EventCursor {
  transactionId: string;
  position: number;
}

export const START_OF_LOG: EventCursor = { transactionId: "0", position: 0 };

export interface StoredEvent {
  cursor: EventCursor;
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
  transaction_id: string | null;
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

const ONE_EVENT = `(${placeholders(10)})`;
const EVENT_COLUMNS = "instance_id, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at";

/**
 * Appends the batch's events after the sequence its decision was made on, in the caller's
 * transaction. The unique (instance, aggregate type, aggregate id, sequence) key is the
 * optimistic check: a writer that lost the race breaks it, on any replica. Returns the
 * aggregate's sequence after the write.
 */
export async function insertEvents(sql: Sql, batch: AppendBatch): Promise<number> {
  // A first event needs no look-up: the unique key refuses it if the aggregate has any event.
  if (sql.dialect.readsUncommitted && batch.expectedSequence > 0 && (await currentSequence(sql, batch)) !== batch.expectedSequence) {
    throw new ConcurrencyError(batch.aggregateType, batch.aggregateId);
  }
  const values: unknown[] = [];
  batch.events.forEach(({ type, ...payload }, i) => {
    const sequence = batch.expectedSequence + i + 1;
    values.push(INSTANCE_ID, batch.aggregateType, batch.aggregateId, sequence, type, 1, JSON.stringify(payload));
    values.push(batch.creator, batch.owner, batch.createdAt);
  });
  const rows = batch.events.length === 1 ? ONE_EVENT : batch.events.map(() => ONE_EVENT).join(", ");
  try {
    await sql.run(`INSERT INTO events (${EVENT_COLUMNS}) VALUES ${rows}`, values);
  } catch (error) {
    if (error instanceof UniqueViolation && error.table === "events") throw new ConcurrencyError(batch.aggregateType, batch.aggregateId);
    throw error;
  }
  return batch.expectedSequence + batch.events.length;
}

async function currentSequence(sql: Sql, batch: AppendBatch): Promise<number> {
  const row = await sql.get<{ sequence: number }>(
    `SELECT COALESCE(MAX(sequence), 0) AS sequence FROM events WHERE instance_id = ? AND aggregate_type = ? AND aggregate_id = ?`,
    [INSTANCE_ID, batch.aggregateType, batch.aggregateId],
  );
  return row!.sequence;
}

/** Up to `limit` events after the cursor, in an order no later read contradicts (the dialect's LogOrder). */
export async function readEventsAfter(sql: Sql, after: EventCursor, limit: number): Promise<StoredEvent[]> {
  const { log } = sql.dialect;
  const rows = await sql.all<EventRow>(`${selectEvents(sql)} WHERE instance_id = ? AND ${log.after} ORDER BY ${log.orderBy} LIMIT ?`, [
    INSTANCE_ID,
    ...log.params(after),
    limit,
  ]);
  return rows.map(toStoredEvent);
}

/**
 * Every committed event by position, a page at a time: for a reader that holds writers off while
 * it reads (the projection rebuild, the export), so nothing can commit behind it.
 */
export async function* readAllEvents(sql: Sql, pageSize = 1000): AsyncGenerator<StoredEvent> {
  let after = 0;
  for (;;) {
    const rows = await sql.all<EventRow>(`${selectEvents(sql)} WHERE instance_id = ? AND position > ? ORDER BY position LIMIT ?`, [
      INSTANCE_ID,
      after,
      pageSize,
    ]);
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.position;
    yield* rows.map(toStoredEvent);
  }
}

/** `SELECT … FROM events`, with the transaction id where the backend has one. */
function selectEvents(sql: Sql): string {
  return `SELECT ${sql.dialect.log.transactionId} AS transaction_id, position, aggregate_type, aggregate_id, sequence, event_type, payload, creator, owner, created_at FROM events`;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    cursor: { transactionId: row.transaction_id ?? "0", position: row.position },
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

/** One aggregate's events after a position, in sequence order (which is position order within one aggregate). */
export async function readAggregateEvents(sql: Sql, aggregateId: string, afterPosition: number, limit: number): Promise<StoredEvent[]> {
  const rows = await sql.all<EventRow>(
    `${selectEvents(sql)} WHERE instance_id = ? AND aggregate_id = ? AND position > ? ORDER BY position LIMIT ?`,
    [INSTANCE_ID, aggregateId, afterPosition, limit],
  );
  return rows.map(toStoredEvent);
}

/**
 * The cursor a follower stands at after the event at `position`: what it needs to hand back is
 * that position alone, paired with that event's transaction id where the backend has one.
 */
export async function cursorAt(sql: Sql, position: number): Promise<EventCursor> {
  if (position <= 0) return START_OF_LOG;
  const row = await sql.get<{ transaction_id: string | null }>(
    `SELECT ${sql.dialect.log.transactionId} AS transaction_id FROM events WHERE instance_id = ? AND position <= ? ORDER BY position DESC LIMIT 1`,
    [INSTANCE_ID, position],
  );
  return { transactionId: row?.transaction_id ?? "0", position };
}
