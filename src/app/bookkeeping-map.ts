import { bookkeepingKey } from "../crypto/digest.js";

/**
 * In-memory bookkeeping keyed by what callers send (login names, user ids, addresses). Keys are
 * stored as fixed-size digests and the number of entries is capped, so the memory it takes is
 * bounded in bytes (a 22-character key and a small value per entry, at most `maxEntries` of
 * them) however large or many the keys are: the
 * least recently touched entry goes first.
 */
export class BookkeepingMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly maxEntries = 100_000) {}

  get(key: string): V | undefined {
    return this.entries.get(bookkeepingKey(key));
  }

  set(key: string, value: V): void {
    const digest = bookkeepingKey(key);
    this.entries.delete(digest); // re-insert: the Map's order is the eviction order
    this.entries.set(digest, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(bookkeepingKey(key));
  }

  get size(): number {
    return this.entries.size;
  }
}
