import { vi } from "vitest";

/**
 * Retries `check` until it passes, for what a server does after its answer (a background write,
 * a delivery). The deadline is the test's own: what it waits for may start a process or wait on
 * a busy machine, so vitest's one-second default would fail on a slower laptop than the author's.
 */
export function eventually<T>(check: () => T | Promise<T>, timeoutMs = 20_000): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 50 });
}
