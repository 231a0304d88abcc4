import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Argon2Parameters, HashScheme } from "./hash-scheme.js";
import { WORKER_SOURCE } from "./hash-worker-source.js";

/*
 * Hashing runs on threads of our own at the lowest scheduling priority (nice 19; on Linux that is a
 * per-thread setting). When password calls saturate the CPU, the kernel then runs the event loop
 * first, so calls that do no hashing keep their latency, while idle cores still go to hashing in full.
 * bcrypt's async API runs on libuv's shared threadpool, which can't be given a priority of its own.
 * What the threads run is in hash-worker-source.ts.
 */
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

/** What a check is against: a bcrypt hash, an Argon2id one of ours (its parameters), or another system's. */
export type CheckedHash =
  | { kind: "bcrypt"; hash: string }
  | { kind: "argon2id"; hash: string; params: Argon2Parameters; secret?: Buffer }
  | { kind: "imported"; hash: string };

type HashJob =
  | { op: "hash"; input: string; cost: number }
  | { op: "hash-argon2id"; input: string; params: Argon2Parameters; secret?: Buffer }
  | { op: "compare"; input: string; hash: string; padCosts: number[] }
  | ({ op: "verify"; input: string; padTo: HashScheme } & CheckedHash);

interface Pending {
  job: HashJob;
  /** When its thread began it (performance.now()); it waits behind the one before until then. */
  startedAt?: number;
  resolve: (result: string | boolean) => void;
  reject: (error: Error) => void;
}

/** Hears how long each job ran on its thread: a new hash, or a check (of either kind of hash). */
export type HashJobObserver = (op: "hash" | "compare", seconds: number) => void;

/** A fixed number of hash threads; jobs beyond what they hold wait in order. */
export class HashWorkers {
  /** Each thread with the jobs it holds, oldest first: it answers them in that order. */
  private readonly threads = new Map<Worker, Pending[]>();
  private readonly waiting: Pending[] = [];
  private readonly bcryptPath = createRequire(import.meta.url).resolve("bcrypt");
  private readonly argon2Path = createRequire(import.meta.url).resolve("@node-rs/argon2");
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

  /** An Argon2id hash in the PHC string format, made with `secret` (a pepper) when given. */
  hashArgon2id(input: string, params: Argon2Parameters, secret?: Buffer): Promise<string> {
    return this.run({ op: "hash-argon2id", input, params: { ...params }, ...(secret && { secret }) }) as Promise<string>;
  }

  /**
   * Checks the input against a hash of any kind; when it does not match, the thread then does
   * bcrypt work until the check has taken what one at `padTo` takes on it.
   */
  verify(input: string, against: CheckedHash, padTo: HashScheme): Promise<boolean> {
    return this.run({ op: "verify", input, ...against, padTo }) as Promise<boolean>;
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
      workerData: { bcryptPath: this.bcryptPath, argon2Path: this.argon2Path, priority: LOWEST_PRIORITY, ...IMPORTED_READERS },
    });
    worker.unref();
    const held: Pending[] = [];
    this.threads.set(worker, held);
    worker.on("message", (reply: { result?: string | boolean; error?: string }) => {
      const pending = held.shift();
      const now = performance.now();
      if (pending?.startedAt !== undefined)
        this.observe(pending.job.op.startsWith("hash") ? "hash" : "compare", (now - pending.startedAt) / 1000);
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
