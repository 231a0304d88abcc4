import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { cursorAt, readAggregateEvents, readEventsAfter } from "../events.js";
import { StoreUnavailableError } from "../sql.js";
import { appenderIn, tablesOver, type Store, type Tables } from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { isUnavailable, PostgresSql, StatementNames, translate } from "./postgres-sql.js";

interface PostgresOptions {
  url: string;
  poolSize: number;
  passwordHistoryKept: number;
  /** How long start-up keeps trying to reach the database before it gives up. */
  connectTimeoutMs?: number;
  /** Hears of errors on idle connections (the pool replaces them). */
  onPoolError?: (error: Error) => void;
}

/** Advisory lock keys: one for migrations, one for `exclusive` transactions. */
const MIGRATION_LOCK = 7_351_001;
const EXCLUSIVE_LOCK = 7_351_002;
const CALL_TIMEOUT_MS = 15_000;

/** int8 (bigint) as a JavaScript number: every one we store (epoch milliseconds, counts) fits. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as "text")) as never,
};

/**
 * Several replicas on one database: every write commits in its own transaction before it is
 * acknowledged (PostgreSQL groups commits itself), and every rule that must hold across replicas
 * is a key or a lock in the database.
 */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const pool = openPool(options);
  const names = new StatementNames();
  // A call's statements give up after CALL_TIMEOUT_MS (a database that stops answering, not one that
  // refuses); exclusive work (a rebuild, a migration, waiting for another replica's) takes its time.
  const tables = (target: pg.Pool | pg.PoolClient, timeoutMs?: number): Tables =>
    tablesOver(new PostgresSql(target, names, timeoutMs), options.passwordHistoryKept);

  try {
    await untilReachable(pool, options.connectTimeoutMs ?? 30_000);
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }

  const transaction = <T>(work: (tx: Tables) => Promise<T>, lock?: number): Promise<T> =>
    inTransaction(pool, (client, timeoutMs) => work(tables(client, timeoutMs)), lock);

  const shared = tables(pool, CALL_TIMEOUT_MS);
  return {
    ...shared,
    backend: "postgres",
    append: (batch, project) => transaction((tx) => appenderIn(tx).append(batch, project)),
    appendAll: (batches, project) => transaction((tx) => appenderIn(tx).appendAll(batches, project)),
    exclusive: (work) => transaction(work, EXCLUSIVE_LOCK),
    readEventsAfter: (after, limit) => readEventsAfter(shared.sql, after, limit),
    readAggregateEvents: (aggregateId, afterPosition, limit) => readAggregateEvents(shared.sql, aggregateId, afterPosition, limit),
    cursorAt: (position) => cursorAt(shared.sql, position),
    durable: () => Promise.resolve(),
    hasUncommittedWrites: () => false,
    ping: async () => {
      await shared.sql.get("SELECT 1");
    },
    pool: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

function openPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // A call waits at most this long for a connection, then answers Unavailable.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    types,
  });
  // A connection that breaks (the server restarted) must not crash the process, idle or not: the
  // pool replaces an idle one, and a call using one fails Unavailable and discards it.
  pool.on("error", (error) => options.onPoolError?.(error));
  pool.on("connect", (client) => client.on("error", (error) => options.onPoolError?.(error)));
  return pool;
}

/**
 * Runs work in a transaction on a client of its own. A call's statements give up after
 * CALL_TIMEOUT_MS; exclusive work (under the advisory lock) takes its time.
 */
async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient, timeoutMs: number | undefined) => Promise<T>,
  lock?: number,
): Promise<T> {
  const timeoutMs = lock === undefined ? CALL_TIMEOUT_MS : undefined;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw translate(error);
  }
  let broken = false;
  try {
    await client.query({ text: "BEGIN", ...(timeoutMs !== undefined && { query_timeout: timeoutMs }) });
    if (lock !== undefined) await client.query("SELECT pg_advisory_xact_lock($1)", [lock]);
    const result = await work(client, timeoutMs);
    await client.query({ text: "COMMIT", ...(timeoutMs !== undefined && { query_timeout: timeoutMs }) });
    return result;
  } catch (error) {
    broken = isUnavailable(error);
    if (!broken) await client.query("ROLLBACK").catch(() => (broken = true));
    throw translate(error);
  } finally {
    client.release(broken);
  }
}

/** Start-up waits for a database that is not up yet (it may be starting beside us), for a while. */
async function untilReachable(pool: pg.Pool, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      await pool.query("SELECT 1");
      return;
    } catch (error) {
      if (!isUnavailable(error) || Date.now() + wait > deadline) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreUnavailableError(`${reason} (gave up after ${Math.round(timeoutMs / 1000)} s)`);
      }
      await sleep(wait);
    }
  }
}

/**
 * Applies the migrations this release knows, one replica at a time (an advisory lock held for the
 * whole run), and refuses a schema newer than it knows.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number | null }>("SELECT MAX(version) AS version FROM schema_migrations");
    const applied = rows[0]?.version ?? 0;
    if (applied > MIGRATIONS.length) {
      throw new Error(
        `the database's schema (version ${applied}) is newer than this Latchkey knows (${MIGRATIONS.length}): run a newer release`,
      );
    }
    for (let version = applied; version < MIGRATIONS.length; version++) {
      await client.query("BEGIN");
      try {
        await client.query(MIGRATIONS[version]!);
        await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [version + 1]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
