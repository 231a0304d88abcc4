import { randomUUID } from "node:crypto";
import type { Logger } from "../log.js";
import type { DeliveryOutcome } from "../metrics.js";
import { UNCOUNTED_KINDS, type Channel, type PendingMessage } from "../store/outbox.js";
import type { Store } from "../store/store.js";
import { compose } from "./compose.js";
import type { Templates } from "./templates.js";
import type { EmailTransport, SmsTransport } from "./transports.js";

interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

interface WorkerOptions {
  store: Store;
  log: Logger;
  templates: Templates;
  /** The code a reset message carries (computed from the server secret, never stored). */
  resetCodeOf: (message: PendingMessage) => string;
  email: EmailTransport | null;
  sms: SmsTransport | null;
  retry: RetryPolicy;
  clock: () => number;
  /** How often to look again when nothing is scheduled sooner. */
  pollMs?: number;
  /**
   * How long a claimed message stays this worker's before another replica may take it over: longer
   * than a delivery takes, or a slow one is sent twice.
   */
  leaseMs: number;
  /** Hears each delivery attempt's outcome (for the metrics). */
  onOutcome?: (channel: Channel, outcome: DeliveryOutcome) => void;
  /** Carries out a message on the `internal` channel (a forgot-password request) instead of sending it. */
  handleInternal: (message: PendingMessage) => Promise<void>;
}

/** Claimed at a time: few, so a replica's lease covers only what it is about to send. */
const BATCH = 10;

/** Exponential backoff with "equal jitter": half fixed, half random, so retries do not arrive in step. */
export function retryDelay(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/**
 * Delivers the outbox: at least once, in order of due time, a failing message rescheduled
 * (never blocking the ones behind it) until it is delivered or its attempts are spent. Rows
 * outlive the process, so a restart picks up where a crash left off.
 */
export class OutboxWorker {
  private readonly channels: Channel[];
  /** Names this worker's leases. */
  private readonly holder = randomUUID();
  private stopping = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: WorkerOptions) {
    this.channels = ["internal", ...(o.email ? ["email" as const] : []), ...(o.sms ? ["sms" as const] : [])];
  }

  start(): void {
    if (this.o.email === null) this.o.log.warn("no e-mail transport (LATCHKEY_SMTP_URL or LATCHKEY_MAIL_DIR): e-mail stays queued");
    if (this.o.sms === null) this.o.log.warn("no SMS transport (LATCHKEY_SMS_WEBHOOK_URL): SMS stays queued");
    this.loop = this.run();
  }

  /** Something was queued: look now rather than at the next poll. */
  kick(): void {
    this.wake?.();
  }

  /** Finishes the message in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        // Never send what a failed group commit could still roll back (store/sqlite/group-commit.ts).
        while (this.o.store.hasUncommittedWrites()) await this.o.store.durable();
        let claimed: PendingMessage[];
        do {
          const now = this.o.clock();
          claimed = await this.o.store.outbox.claimDue(now, this.channels, BATCH, this.holder, now + this.o.leaseMs);
          for (const message of claimed) {
            if (this.stopping) return;
            await this.deliver(message);
          }
        } while (claimed.length === BATCH && !this.stopping);
      } catch (error) {
        this.o.log.error("outbox worker error", { error: error instanceof Error ? error.message : "unknown" });
      }
      await this.sleep();
    }
  }

  private async sleep(): Promise<void> {
    const pollMs = this.o.pollMs ?? 1000;
    const next = await this.o.store.outbox.nextDueAt(this.channels).catch(() => null);
    const waitMs = next === null ? pollMs : Math.max(0, Math.min(pollMs, next - this.o.clock()));
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async deliver(message: PendingMessage): Promise<void> {
    const { store, log, retry } = this.o;
    const fields = { messageId: message.messageId, kind: message.kind, channel: message.channel, userId: message.userId };
    let failure: unknown;
    try {
      if (message.channel === "internal") {
        await this.o.handleInternal(message);
      } else {
        const outgoing = compose(message, this.o.templates, this.o.resetCodeOf);
        if (outgoing.channel === "email") await this.o.email!.send(outgoing);
        else await this.o.sms!.send(outgoing);
      }
    } catch (error) {
      failure = error;
    }
    const outcome = (result: DeliveryOutcome) => {
      if (!UNCOUNTED_KINDS.includes(message.kind)) this.o.onOutcome?.(message.channel, result);
    };
    // If recording the outcome fails (the database is away), the lease runs out and the message
    // is tried again: at least once.
    if (failure === undefined) {
      await store.outbox.markDelivered(message.id, this.holder, this.o.clock());
      outcome("sent");
      log.info("message delivered", { ...fields, attempt: message.attempts + 1 });
      return;
    }
    const reason = describe(failure);
    const attempts = message.attempts + 1;
    if (attempts >= retry.maxAttempts) {
      await store.outbox.markFailed(message.id, this.holder, reason, this.o.clock());
      outcome("failed");
      log.error("message abandoned", { ...fields, attempts, reason });
    } else {
      const delay = retryDelay(attempts, retry);
      await store.outbox.retryLater(message.id, this.holder, this.o.clock() + delay, reason);
      outcome("retried");
      log.warn("message delivery failed, retrying", { ...fields, attempts, retryInMs: delay, reason });
    }
  }
}

/** What went wrong, without anything a message carries (the transports' errors name hosts and codes, not bodies). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return "unknown error";
  const code = (error as { responseCode?: number; code?: string }).responseCode ?? (error as { code?: string }).code;
  return `${error.name}${code === undefined ? "" : ` ${code}`}: ${error.message}`.slice(0, 500);
}
