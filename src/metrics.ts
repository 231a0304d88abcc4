import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** Where a call came in: the protocol, or ZITADEL's REST paths. */
export type CallProtocol = "grpc" | "grpc-web" | "connect" | "rest";
type HashJobKind = "hash" | "compare";
export type DeliveryOutcome = "sent" | "retried" | "failed";

/** Read when scraped: what is waiting right now, wherever it waits. */
interface MetricSources {
  hashJobs(): { queued: number; running: number };
  outboxPending(): Promise<ReadonlyArray<{ channel: string; count: number }>>;
  /** PostgreSQL's connection pool; null on SQLite. */
  pool(): { total: number; idle: number; waiting: number } | null;
  /** Users by the scheme of their current password hash (a recent count: counting reads every user). */
  usersByScheme(): Promise<ReadonlyArray<{ scheme: string; users: number; weakness?: string }>>;
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics (prom-client), in a registry of its own. Every label value comes
 * from a fixed set (procedures we serve, protocols, status codes, channels): never a user id, a
 * login name or an address.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly calls;
  private readonly callSeconds;
  private readonly hashSeconds;
  private readonly passwordChecks;
  private readonly lockouts;
  private readonly rateLimitedCalls;
  private readonly deliveries;
  private readonly commitWrites;
  private readonly commitSeconds;

  constructor() {
    const registers = [this.registry];
    this.calls = new Counter({
      name: "latchkey_rpc_calls_total",
      help: "Calls answered, by procedure, protocol and status code.",
      labelNames: ["procedure", "protocol", "code"],
      registers,
    });
    this.callSeconds = new Histogram({
      name: "latchkey_rpc_duration_seconds",
      help: "How long calls took to answer, by procedure and protocol.",
      labelNames: ["procedure", "protocol"],
      buckets: SECONDS,
      registers,
    });
    this.hashSeconds = new Histogram({
      name: "latchkey_hash_job_duration_seconds",
      help: "How long hash jobs ran on their thread, by kind (hash or compare).",
      labelNames: ["kind"],
      buckets: SECONDS,
      registers,
    });
    this.passwordChecks = new Counter({
      name: "latchkey_password_checks_total",
      help: "Login password checks, by result (matched or failed); unknown login names count as failed.",
      labelNames: ["result"],
      registers,
    });
    this.lockouts = new Counter({
      name: "latchkey_lockouts_total",
      help: "Lockouts, by reason: too_many_password_attempts counts login names as typed, known or not (so it tells nothing of who has an account); administrator counts LockUser.",
      labelNames: ["reason"],
      registers,
    });
    this.rateLimitedCalls = new Counter({
      name: "latchkey_rate_limited_calls_total",
      help: "Anonymous calls refused by a rate limit, by limit (address or target).",
      labelNames: ["limit"],
      registers,
    });
    this.deliveries = new Counter({
      name: "latchkey_outbox_messages_total",
      help: "Delivery attempts of outbox messages, by channel and outcome (sent, retried or failed for good).",
      labelNames: ["channel", "outcome"],
      registers,
    });
    this.commitWrites = new Histogram({
      name: "latchkey_store_commit_writes",
      help: "Writes per group commit (SQLite).",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: "latchkey_store_commit_duration_seconds",
      help: "How long each commit took, disk sync included (SQLite).",
      buckets: SECONDS,
      registers,
    });
  }

  /** Adds the gauges read at scrape time, and Node's process metrics (event-loop lag among them). */
  observe(sources: MetricSources): void {
    const registers = [this.registry];
    new Gauge({
      name: "latchkey_hash_jobs_queued",
      help: "Hash jobs waiting for a thread.",
      registers,
      collect() {
        this.set(sources.hashJobs().queued);
      },
    });
    new Gauge({
      name: "latchkey_hash_jobs_running",
      help: "Hash jobs running on a thread.",
      registers,
      collect() {
        this.set(sources.hashJobs().running);
      },
    });
    new Gauge({
      name: "latchkey_outbox_pending",
      help: "Outbox messages waiting for delivery, by channel (every replica's).",
      labelNames: ["channel"],
      registers,
      async collect() {
        this.reset();
        // With the database away, the other metrics still answer (this one has no series then).
        const pending = await sources.outboxPending().catch(() => []);
        for (const { channel, count } of pending) this.set({ channel }, count);
      },
    });
    new Gauge({
      name: "latchkey_store_pool_connections",
      help: "PostgreSQL connections of this replica's pool, by state (total, idle, or callers waiting for one).",
      labelNames: ["state"],
      registers,
      collect() {
        const pool = sources.pool();
        if (pool === null) return;
        for (const [state, count] of Object.entries(pool)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: "latchkey_users_by_password_scheme",
      help: "Users by the scheme of their current password hash (every replica's; counted at most every ten minutes), weak=true for schemes fast to guess.",
      labelNames: ["scheme", "weak"],
      registers,
      async collect() {
        this.reset();
        const counts = await sources.usersByScheme().catch(() => []);
        for (const { scheme, users, weakness } of counts) this.set({ scheme, weak: String(weakness !== undefined) }, users);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  callAnswered(procedure: string, protocol: CallProtocol, code: string, seconds: number): void {
    this.calls.inc({ procedure, protocol, code });
    this.callSeconds.observe({ procedure, protocol }, seconds);
  }

  hashJobDone(kind: HashJobKind, seconds: number): void {
    this.hashSeconds.observe({ kind }, seconds);
  }

  passwordChecked(matched: boolean): void {
    this.passwordChecks.inc({ result: matched ? "matched" : "failed" });
  }

  lockedOut(reason: string): void {
    this.lockouts.inc({ reason });
  }

  rateLimited(limit: string): void {
    this.rateLimitedCalls.inc({ limit });
  }

  delivered(channel: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ channel, outcome });
  }

  committed(writes: number, seconds: number): void {
    this.commitWrites.observe(writes);
    this.commitSeconds.observe(seconds);
  }
}
