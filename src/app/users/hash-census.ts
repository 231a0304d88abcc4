import { schemeOf, type StoredScheme } from "../../crypto/hash-census.js";
import type { Store } from "../../store/store.js";

const PAGE = 5_000;

export interface SchemeCount extends StoredScheme {
  users: number;
}

/** Every user's id and the scheme of its current hash, a page at a time. */
export async function* usersByScheme(store: Pick<Store, "users">): AsyncGenerator<{ userId: string } & StoredScheme> {
  for (let after = ""; ;) {
    const page = await store.users.passwordHashes(after, PAGE);
    for (const { userId, passwordHash } of page) yield { userId, ...schemeOf(passwordHash) };
    if (page.length < PAGE) return;
    after = page.at(-1)!.userId;
  }
}

/** How many users' current hashes use each scheme, the most used first. */
export async function countUsersByScheme(store: Pick<Store, "users">): Promise<SchemeCount[]> {
  const counts = new Map<string, SchemeCount>();
  for await (const { userId: _, ...scheme } of usersByScheme(store)) {
    const count = counts.get(scheme.scheme);
    if (count !== undefined) count.users++;
    else counts.set(scheme.scheme, { ...scheme, users: 1 });
  }
  return [...counts.values()].sort((a, b) => b.users - a.users || a.scheme.localeCompare(b.scheme));
}

/**
 * The census for the metrics: a count at most `maxAgeMs` old. The first asks and waits; later
 * ones get the last count at once while an older one is being redone in the background.
 */
export function recentCensus(store: Pick<Store, "users">, maxAgeMs: number, now: () => number = Date.now): () => Promise<SchemeCount[]> {
  let last: { at: number; counts: SchemeCount[] } | null = null;
  let counting: Promise<SchemeCount[]> | null = null;
  const count = () =>
    (counting ??= countUsersByScheme(store)
      .then((counts) => {
        last = { at: now(), counts };
        return counts;
      })
      .finally(() => (counting = null)));
  return async () => {
    if (last === null) return count();
    if (now() - last.at > maxAgeMs) void count().catch(() => undefined);
    return last.counts;
  };
}
