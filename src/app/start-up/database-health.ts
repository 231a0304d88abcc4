import type { Store } from "../../store/store.js";

/**
 * Whether the database answers: asked at most once per `intervalMs` however often health is
 * checked (anyone may call /healthz), and given up on after `timeoutMs`.
 */
export function databaseHealth(store: Store, intervalMs = 1_000, timeoutMs = 2_000): () => Promise<boolean> {
  let last: { at: number; answer: Promise<boolean> } | null = null;
  return () => {
    const now = Date.now();
    if (last === null || now - last.at >= intervalMs) last = { at: now, answer: pingWithin(store, timeoutMs) };
    return last.answer;
  };
}

async function pingWithin(store: Store, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([
      store.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
