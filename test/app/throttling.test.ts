import { describe, expect, it } from "vitest";
import { RateLimiter, targetFromAddress } from "../../src/api/rate-limit.js";
import { NameFailures } from "../../src/app/sessions/name-failures.js";
import { bookkeepingKey } from "../../src/crypto/digest.js";
import { testStore } from "../helpers/app.js";

const T0 = 1_700_000_000_000;

describe("rate limits and failure counts, kept in the database", () => {
  it("allows a burst of the per-minute limit, then refills evenly", async () => {
    const store = await testStore("sqlite");
    const now = { value: T0 };
    const limiter = new RateLimiter("test", 3, store.throttles, () => now.value);
    const take = (key: string) => limiter.take(key);
    expect([await take("a"), await take("a"), await take("a"), await take("a")]).toEqual([true, true, true, false]);
    expect(await take("b")).toBe(true);
    now.value += 20_000; // a third of a minute: one call's worth
    expect([await take("a"), await take("a")]).toEqual([true, false]);
    expect(await new RateLimiter("off", 0, store.throttles).take("anything")).toBe(true);
    // Stored under digests: what callers sent is not in the database.
    const keys = await store.sql.all<{ key: string }>(`SELECT key FROM rate_limits`);
    expect(keys.map((k) => k.key)).toContain(bookkeepingKey("test\na"));
    expect(keys.every((k) => k.key.length === 22)).toBe(true);
    await store.close();
  });

  it("keeps a target's limit per address, so a stranger cannot use up the owner's calls", async () => {
    const store = await testStore("sqlite");
    const perTarget = new RateLimiter("target", 2, store.throttles);
    const attacker = targetFromAddress("login:ada", "198.51.100.7");
    expect([await perTarget.take(attacker), await perTarget.take(attacker), await perTarget.take(attacker)]).toEqual([true, true, false]);
    expect(await perTarget.take(targetFromAddress("login:ada", "203.0.113.9"))).toBe(true);
    await store.close();
  });

  it("keys by a fixed-size digest, however long the key is", () => {
    expect(bookkeepingKey("x".repeat(1_000_000))).toHaveLength(22);
    expect(bookkeepingKey("a")).not.toBe(bookkeepingKey("b"));
  });

  it("paces concurrent checks of one name as if they came one after another", async () => {
    const store = await testStore("sqlite");
    const names = new NameFailures(store.throttles, { baseMs: 100, maxMs: 1_000 });
    const started = performance.now();
    const waited = await Promise.all([0, 1, 2].map(() => names.begin("a", T0).then(() => performance.now() - started)));
    expect(Math.min(...waited)).toBeLessThan(50);
    expect(Math.max(...waited)).toBeGreaterThanOrEqual(190); // the third waits for two failures: 200 ms
    const other = performance.now();
    await names.begin("b", T0);
    expect(performance.now() - other).toBeLessThan(50);
    await names.succeeded("a");
    const again = performance.now();
    await names.begin("a", T0);
    expect(performance.now() - again).toBeLessThan(50);
    await store.close();
  });

  it("counts failures by the name used, locks a name like a user, and lets its lockout run out", async () => {
    const store = await testStore("sqlite");
    const names = new NameFailures(store.throttles, { baseMs: 0, maxMs: 0 });
    const policy = { maxPasswordAttempts: 2, lockoutDurationMs: 1_000 };
    expect(await names.fail("login:ada", policy, T0)).toMatchObject({ reason: "LOGIN_FAILED", failedAttempts: 1 });
    expect(await names.fail("login:ada@example.com", policy, T0)).toMatchObject({ reason: "LOGIN_FAILED", failedAttempts: 1 });
    expect(await names.fail("login:ada", policy, T0)).toMatchObject({ reason: "LOGIN_FAILED", failedAttempts: 2 });
    expect(await names.fail("login:ada", policy, T0 + 999)).toMatchObject({ reason: "USER_LOCKED" });
    expect(await names.fail("login:ada", policy, T0 + 1_000)).toMatchObject({ reason: "LOGIN_FAILED", failedAttempts: 1 });
    await names.succeeded("login:ada@example.com");
    expect(await names.fail("login:ada@example.com", policy, T0)).toMatchObject({ failedAttempts: 1 });
    await store.close();
  });
});
