import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/*
 * bcrypt runs on threads of our own at the lowest scheduling priority (nice 19; on Linux that is a
 * per-thread setting). When password calls saturate the CPU, the kernel then runs the event loop
 * first, so calls that do no hashing keep their latency, while idle cores still go to bcrypt in full.
 * bcrypt's async API runs on libuv's shared threadpool, which can't be given a priority of its own.
 *
 * The worker is CommonJS source evaluated as is, so it loads the same way from src/ under tsx, from
 * dist/ and inside vitest. It sees the input only in memory and never logs it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const bcrypt = require(workerData.bcryptPath);
try {
  require("node:os").setPriority(workerData.priority);
} catch {}
// What one bcrypt unit (one step of 2^cost) takes on this thread, from the bcrypt work it does.
let unitMs = null;
function timed(cost, work) {
  const start = performance.now();
  const result = work();
  const ms = (performance.now() - start) / 2 ** cost;
  unitMs = unitMs === null ? ms : 0.8 * unitMs + 0.2 * ms;
  return result;
}
const costOf = (hash) => Number(hash.slice(4, 6));
// bcrypt work worth (2^cost - used) units, in hashes at falling costs down to bcrypt's least.
function padUpTo(input, cost, used) {
  let left = 2 ** cost - used;
  for (let k = cost - 1; k >= 4; k--) {
    if (left >= 2 ** k) {
      timed(k, () => bcrypt.hashSync(input, k));
      left -= 2 ** k;
    }
  }
}
let importedReader = null;
async function readers() {
  if (importedReader === null) {
    if (workerData.tsxUrl) (await import(workerData.tsxUrl)).register(); // run from src/, under tsx or vitest
    importedReader = await import(workerData.importedUrl);
  }
  return importedReader;
}
async function run(job) {
  if (job.op === "hash") return timed(job.cost, () => bcrypt.hashSync(job.input, job.cost));
  if (job.op === "compare") {
    const result = timed(costOf(job.hash), () => bcrypt.compareSync(job.input, job.hash));
    if (result === false) for (const cost of job.padCosts) timed(cost, () => bcrypt.hashSync(job.input, cost));
    return result;
  }
  // An imported hash: a failed check is padded with bcrypt work to what a compare at job.cost takes.
  const { readImportedHash } = await readers();
  if (unitMs === null) timed(6, () => bcrypt.hashSync(job.input, 6));
  const start = performance.now();
  let result = false;
  try {
    const hash = readImportedHash(job.hash);
    result = hash !== null && hash.verify(job.input);
  } catch {} // parameters the implementation refuses: no password matches
  if (result === false) padUpTo(job.input, job.cost, (performance.now() - start) / unitMs);
  return result;
}
let queue = Promise.resolve();
parentPort.on("message", (job) => {
  queue = queue.then(async () => {
    try {
      parentPort.postMessage({ result: await run(job) });
    } catch (error) {
      parentPort.postMessage({ error: error instanceof Error ? error.message : "hashing failed" });
    }
  });
});
`;

const LOWEST_PRIORITY = 19;

/**
 * Where the threads load the readers of imported hashes from: beside this module, as JavaScript
 * in dist/, or as TypeScript in src/ (then through tsx's loader, a development dependency).
 */
const IMPORTED_READERS = (() => {
  const fromSource = import.meta.url.endsWith(".ts");
  const importedUrl = new URL(`./imported/read-imported-hash.${fromSource ? "ts" : "js"}`, import.meta.url).href;
  if (!fromSource) return { importedUrl };
  const tsxApi = createRequire(import.meta.url)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  return { importedUrl, tsxUrl: pathToFileURL(tsxApi).href };
})();
/**
 * Jobs handed to one thread at a time: the one it runs and the next, already in its queue, so a
 * thread never idles while the event loop is busy (committing a write, say) before it can hand over
 * more work.
 */
const JOBS_PER_THREAD = 2;

type HashJob =
  | { op: "hash"; input: string; cost: number }
  | { op: "compare"; input: string; hash: string; padCosts: number[] }
  | { op: "verify-imported"; input: string; hash: string; cost: number };

interface Pending {
  job: HashJob;
  /** When its thread began it (performance.now()); it waits behind the one before until then. */
  startedAt?: number;
  resolve: (result: string | boolean) => void;
  reject: (error: Error) => void;
}

/** Hears how long each job ran on its thread: a new hash, or a check (of either kind of hash). */
export type HashJobObserver = (op: "hash" | "compare", seconds: number) => void;

/** A fixed number of bcrypt threads; jobs beyond what they hold wait in order. */
export class HashWorkers {
  /** Each thread with the jobs it holds, oldest first: it answers them in that order. */
  private readonly threads = new Map<Worker, Pending[]>();
  private readonly waiting: Pending[] = [];
  private readonly bcryptPath = createRequire(import.meta.url).resolve("bcrypt");
  private readonly outstanding = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    size: number,
    private readonly observe: HashJobObserver = () => undefined,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("hash worker count must be a positive integer");
    for (let i = 0; i < size; i++) this.spawn();
  }

  hash(input: string, cost: number): Promise<string> {
    return this.run({ op: "hash", input, cost }) as Promise<string>;
  }

  /**
   * Compares; when the input does not match, the thread then hashes at each of `padCosts` before
   * it answers, so that a failed compare against a cheaper hash takes as long as a dearer one.
   */
  compare(input: string, hash: string, padCosts: readonly number[] = []): Promise<boolean> {
    return this.run({ op: "compare", input, hash, padCosts: [...padCosts] }) as Promise<boolean>;
  }

  /**
   * Verifies against a hash another system made (crypto/imported/); when the input does not match,
   * the thread then does bcrypt work until the check has cost what a compare at `cost` does.
   */
  verifyImported(input: string, hash: string, cost: number): Promise<boolean> {
    return this.run({ op: "verify-imported", input, hash, cost }) as Promise<boolean>;
  }

  /** Jobs waiting (for a thread, or behind the job their thread runs), and jobs running. */
  stats(): { queued: number; running: number } {
    let running = 0;
    let queued = this.waiting.length;
    for (const held of this.threads.values()) {
      if (held.length > 0) running++;
      queued += Math.max(0, held.length - 1);
    }
    return { queued, running };
  }

  private run(job: HashJob): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error("hash workers are closed"));
    const result = new Promise<string | boolean>((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
    const settled: Promise<unknown> = result.then(
      () => this.outstanding.delete(settled),
      () => this.outstanding.delete(settled),
    );
    this.outstanding.add(settled);
    return result;
  }

  /** Takes no new jobs, lets those already given finish (they are bounded), then ends the threads. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.outstanding);
    const workers = [...this.threads.keys()];
    this.threads.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const [worker, held] = this.leastLoaded();
      if (held.length >= JOBS_PER_THREAD) return;
      const pending = this.waiting.shift()!;
      if (held.length === 0) pending.startedAt = performance.now();
      held.push(pending);
      worker.ref();
      worker.postMessage(pending.job);
    }
  }

  private leastLoaded(): [Worker, Pending[]] {
    let best: [Worker, Pending[]] | undefined;
    for (const entry of this.threads) if (best === undefined || entry[1].length < best[1].length) best = entry;
    return best!;
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { bcryptPath: this.bcryptPath, priority: LOWEST_PRIORITY, ...IMPORTED_READERS },
    });
    worker.unref();
    const held: Pending[] = [];
    this.threads.set(worker, held);
    worker.on("message", (reply: { result?: string | boolean; error?: string }) => {
      const pending = held.shift();
      const now = performance.now();
      if (pending?.startedAt !== undefined) this.observe(pending.job.op === "hash" ? "hash" : "compare", (now - pending.startedAt) / 1000);
      if (held[0] !== undefined) held[0].startedAt = now;
      if (held.length === 0) worker.unref();
      if (reply.error !== undefined) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.result!);
      this.dispatch();
    });
    worker.on("error", (error) => held.shift()?.reject(error));
    // A thread that dies (out of memory, say) fails the jobs it held and is replaced.
    worker.on("exit", () => {
      if (!this.threads.has(worker)) return; // ended by close()
      this.threads.delete(worker);
      for (const pending of held.splice(0)) pending.reject(new Error("a hash worker stopped"));
      this.spawn();
      this.dispatch();
    });
  }
}
