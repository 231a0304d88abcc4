import type { Logger } from "../../log.js";

/** Work that runs after the answer has gone out; shutdown waits for it before closing the store. */
export class BackgroundJobs {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /**
   * Starts `job` once the event loop has finished the input in hand, so the answer of the call
   * that asked for it is written first: nothing the job reads or writes (or waits for, such as a
   * commit) can delay that answer or show in its timing.
   */
  run(name: string, job: () => Promise<void>): void {
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(job)
      .catch((error: unknown) =>
        this.log.error("background job failed", { job: name, error: error instanceof Error ? error.message : "unknown" }),
      )
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
