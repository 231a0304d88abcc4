import { setTimeout as sleep } from "node:timers/promises";
import { BookkeepingMap } from "./bookkeeping-map.js";

export interface FailureDelay {
  /** Delay after the first failure; doubles with each further one. 0 turns delays off. */
  baseMs: number;
  maxMs: number;
}

/**
 * Consecutive failed password checks per login target, in memory and bounded in bytes. It slows repeated
 * failures down, and it counts failures for login names that do not exist, so that they answer
 * exactly like real users (failed attempts, then "locked"). Known users' counts that lock are
 * in the event store; these only pace.
 */
export class LoginAttempts {
  private readonly failures: BookkeepingMap<number>;

  constructor(
    private readonly delay: FailureDelay,
    maxKeys = 100_000,
  ) {
    this.failures = new BookkeepingMap(maxKeys);
  }

  count(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  recordFailure(key: string): number {
    const count = this.count(key) + 1;
    this.failures.set(key, count);
    return count;
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  /** Waits (without blocking the event loop) as long as this target's failures ask for. */
  async pace(key: string): Promise<void> {
    const count = this.count(key);
    if (count === 0 || this.delay.baseMs === 0) return;
    await sleep(Math.min(this.delay.baseMs * 2 ** Math.min(count - 1, 30), this.delay.maxMs));
  }
}
