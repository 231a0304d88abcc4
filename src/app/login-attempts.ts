import { setTimeout as sleep } from "node:timers/promises";
import { BookkeepingMap } from "./bookkeeping-map.js";

export interface FailureDelay {
  /** Delay after the first failure; doubles with each further one. 0 turns delays off. */
  baseMs: number;
  maxMs: number;
}

/**
 * Paces password checks per login target, in memory and bounded in bytes. Every check counts as
 * a failure from the moment it starts until it succeeds, so checks that run at the same time see
 * each other: ten concurrent guesses wait as ten guesses in a row would.
 */
export class LoginAttempts {
  private readonly failures: BookkeepingMap<number>;

  constructor(
    private readonly delay: FailureDelay,
    maxKeys = 100_000,
  ) {
    this.failures = new BookkeepingMap(maxKeys);
  }

  /** Counts this check in, then waits (without blocking the event loop) as long as the earlier ones ask for. */
  async begin(key: string): Promise<void> {
    const earlier = this.failures.get(key) ?? 0;
    this.failures.set(key, earlier + 1);
    if (earlier === 0 || this.delay.baseMs === 0) return;
    await sleep(Math.min(this.delay.baseMs * 2 ** Math.min(earlier - 1, 30), this.delay.maxMs));
  }

  /** The check succeeded: its target starts afresh. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
