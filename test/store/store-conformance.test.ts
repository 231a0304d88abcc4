import { MIGRATIONS } from "../../src/store/postgres/migrations.js";
import { afterEach, describe, expect, it } from "vitest";
import { ConcurrencyError, START_OF_LOG, type AppendBatch } from "../../src/store/events.js";
import { appenderIn, type Store } from "../../src/store/store.js";
import { LoginNameTakenError } from "../../src/store/users.js";
import { testStore } from "../helpers/app.js";
import { BACKENDS, freshDatabase } from "../helpers/postgres.js";
import { tempDataDir } from "../helpers/server.js";

const batch = (aggregateId: string, expectedSequence: number, count = 1): AppendBatch => ({
  aggregateType: "test",
  aggregateId,
  owner: "o1",
  creator: "test",
  expectedSequence,
  createdAt: 1,
  events: Array.from({ length: count }, (_, i) => ({ type: "test.event", i })),
});
const nothing = async () => undefined;

async function readAll(store: Store, pageSize = 1000) {
  const events = [];
  for (let cursor = START_OF_LOG; ;) {
    const page = await store.readEventsAfter(cursor, pageSize);
    if (page.length === 0) return events;
    events.push(...page);
    cursor = page[page.length - 1]!.cursor;
  }
}

/** One set of rules, both backends: what app/ relies on of any store. */
describe.each(BACKENDS)("the store on %s", (backend) => {
  const opened: Store[] = [];
  const open = async (databaseUrl?: string, dataDir?: string) => {
    const store = await testStore(backend, databaseUrl, dataDir);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close().catch(() => undefined)));
  });

  it("appends with per-aggregate sequences and refuses a stale expected sequence", async () => {
    const store = await open();
    expect(await store.append(batch("a", 0, 2), nothing)).toBe(2);
    await expect(store.append(batch("a", 0), nothing)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(batch("a", 1), nothing)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.append(batch("b", 0), nothing)).toBe(1);
    expect(await store.append(batch("a", 2), nothing)).toBe(3);
    expect((await readAll(store)).map((e) => [e.aggregateId, e.sequence, e.payload])).toEqual([
      ["a", 1, { i: 0 }],
      ["a", 2, { i: 1 }],
      ["b", 1, { i: 0 }],
      ["a", 3, { i: 0 }],
    ]);
  });

  it("lets exactly one of many writers on the same sequence win", async () => {
    const store = await open();
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.append(batch("race", 0), nothing)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConcurrencyError);
    expect(await readAll(store)).toHaveLength(1);
  });

  it("rolls back the events and everything projected when the projection fails", async () => {
    const store = await open();
    const failing = store.append(batch("a", 0), async (tx) => {
      await tx.settings.set("written-by-the-projection", "yes");
      throw new Error("projection failed");
    });
    await expect(failing).rejects.toThrow("projection failed");
    await store.durable();
    expect(await readAll(store)).toEqual([]);
    expect(await store.settings.get("written-by-the-projection")).toBeNull();
  });

  it("keeps events append-only", async () => {
    const store = await open();
    await store.append(batch("a", 0), nothing);
    await expect(store.sql.run(`UPDATE events SET payload = '{}'`)).rejects.toThrow(/append-only/);
    await expect(store.sql.run(`DELETE FROM events`)).rejects.toThrow(/append-only/);
    expect(await readAll(store)).toHaveLength(1);
  });

  it("reads events across page boundaries", async () => {
    const store = await open();
    await store.append(batch("a", 0, 5), nothing);
    expect((await readAll(store, 2)).map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives a login name to one user, however many claim it at once", async () => {
    const store = await open();
    const claims = await Promise.allSettled(
      ["u1", "u2", "u3", "u4"].map((userId) =>
        store.append(batch(userId, 0), (tx) => tx.users.claim(userId, [{ key: "ada@example.com", kind: "email" }])),
      ),
    );
    expect(claims.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    for (const c of claims) if (c.status === "rejected") expect(c.reason).toBeInstanceOf(LoginNameTakenError);
    const winner = (await readAll(store))[0]!.aggregateId;
    expect(await store.users.ownerOf("ada@example.com")).toBe(winner);
    // The owner claiming its own name again is no conflict.
    await store.append(batch(winner, 1), (tx) => tx.users.claim(winner, [{ key: "ada@example.com", kind: "email" }]));
  });

  it("runs exclusive transactions one at a time", async () => {
    const store = await open();
    const order: string[] = [];
    const work = (name: string) =>
      store.exclusive(async (tx) => {
        order.push(`${name} in`);
        const value = Number((await tx.settings.get("counter")) ?? "0");
        await new Promise((resolve) => setImmediate(resolve));
        await tx.settings.set("counter", String(value + 1));
        order.push(`${name} out`);
      });
    await Promise.all([work("a"), work("b"), work("c")]);
    expect(await store.settings.get("counter")).toBe("3");
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i]!.replace("in", "out"));
  });

  it("allows exactly the rate limit, however many calls arrive at once", async () => {
    const store = await open();
    const now = 1_000_000;
    const taken = await Promise.all(Array.from({ length: 25 }, () => store.throttles.take("key", 10, now)));
    expect(taken.filter(Boolean)).toHaveLength(10);
    expect(await store.throttles.take("other", 10, now)).toBe(true);
    // Refilled evenly: one call's worth after a tenth of a minute, a full minute's after a minute.
    expect(await store.throttles.take("key", 10, now + 6_000)).toBe(true);
    expect(await store.throttles.take("key", 10, now + 6_000)).toBe(false);
    const later = await Promise.all(Array.from({ length: 12 }, () => store.throttles.take("key", 10, now + 120_000)));
    expect(later.filter(Boolean)).toHaveLength(10);
  });

  it("counts every login attempt made at once, and forgets them on success", async () => {
    const store = await open();
    const earlier = await Promise.all(Array.from({ length: 8 }, () => store.throttles.countAttempt("name", 1, 60_000)));
    expect([...earlier].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await store.throttles.forget("name");
    expect(await store.throttles.countAttempt("name", 1, 60_000)).toBe(0);
    expect(await store.throttles.prune(60_002)).toBe(1);
  });

  it("saves a name's lockout only over the version it read", async () => {
    const store = await open();
    await store.throttles.countAttempt("name", 1, 60_000);
    const read = (await store.throttles.lockoutOf("name"))!;
    expect(await store.throttles.saveLockout("name", "first", read.version, 1, 60_000)).toBe(true);
    expect(await store.throttles.saveLockout("name", "stale", read.version, 1, 60_000)).toBe(false);
    expect((await store.throttles.lockoutOf("name"))!.value).toBe("first");
  });

  it("leases each outbox message to one worker, and to another once the lease runs out", async () => {
    const store = await open();
    await store.append(batch("u", 0), async (tx) => {
      for (let i = 0; i < 6; i++) {
        await tx.outbox.enqueue({
          messageId: `m${i}`,
          kind: "password_changed",
          channel: "email",
          userId: "u",
          recipient: "ada@example.com",
          payload: {},
          sealedSecret: null,
          createdAt: 10 + i,
        });
      }
    });
    await store.durable();
    const [a, b] = await Promise.all([
      store.outbox.claimDue(100, ["email"], 4, "worker-a", 1_000),
      store.outbox.claimDue(100, ["email"], 4, "worker-b", 1_000),
    ]);
    const ids = [...a, ...b].map((m) => m.messageId).sort();
    expect(ids).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    expect(await store.outbox.claimDue(500, ["email"], 10, "worker-c", 1_500)).toEqual([]);
    expect(await store.outbox.nextDueAt(["email"])).toBe(1_000);
    // worker-a finishes one of its messages; the rest of its lease runs out and worker-c takes them over.
    await store.outbox.markDelivered(a[0]!.id, "worker-a", 200);
    const takenOver = await store.outbox.claimDue(1_000, ["email"], 10, "worker-c", 2_000);
    expect(takenOver.map((m) => m.messageId).sort()).toEqual(ids.filter((id) => id !== a[0]!.messageId));
    // A worker whose lease was taken over cannot record an outcome any more.
    await store.outbox.markFailed(a[1]!.id, "worker-a", "late", 1_001);
    expect((await store.outbox.claimDue(2_000, ["email"], 10, "worker-d", 3_000)).map((m) => m.messageId)).toContain(a[1]!.messageId);
  });

  it("refuses a database whose schema is newer than this release knows", async () => {
    const databaseUrl = backend === "postgres" ? await freshDatabase() : undefined;
    const dataDir = tempDataDir();
    const store = await open(databaseUrl, dataDir);
    if (backend === "postgres") await store.sql.run(`INSERT INTO schema_migrations (version) VALUES (999)`);
    else await store.sql.run(`PRAGMA user_version = 999`);
    await store.close();
    await expect(open(databaseUrl, dataDir)).rejects.toThrow(/schema \(version 999\) is newer than this Latchkey knows/);
  });
});

describe("the store on postgres, where transactions commit out of order", () => {
  it("never lets a reader tailing the log skip an event that commits late", async () => {
    const store = await testStore("postgres");
    try {
      await store.append(batch("first", 0), nothing);
      const [first] = await store.readEventsAfter(START_OF_LOG, 10);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      // "slow" takes its position first and commits last.
      const slow = store.append(batch("slow", 0), async () => {
        entered();
        await gate;
      });
      await inside;
      await store.append(batch("fast", 0), nothing);
      // "fast" is committed, but a reader past it now would never see "slow": it must wait.
      expect(await store.readEventsAfter(first!.cursor, 10)).toEqual([]);
      release();
      await slow;
      expect((await store.readEventsAfter(first!.cursor, 10)).map((e) => e.aggregateId)).toEqual(["slow", "fast"]);
    } finally {
      await store.close();
    }
  });

  it("lets a follower that hands back only positions pick up an event with a lower position that committed later", async () => {
    const store = await testStore("postgres");
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let tookId!: () => void;
      const hasTransactionId = new Promise<void>((resolve) => (tookId = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      // "early" takes its transaction id first, "late" takes the lower position, "early" commits first.
      const early = store.exclusive(async (tx) => {
        await tx.settings.set("takes-a-transaction-id", "1");
        tookId();
        await inside;
        await appenderIn(tx).append(batch("early", 0), nothing);
      });
      await hasTransactionId;
      const late = store.append(batch("late", 0), async () => {
        entered();
        await gate;
      });
      await early;
      const seen = await store.readEventsAfter(START_OF_LOG, 10);
      expect(seen.map((e) => e.aggregateId)).toEqual(["early"]);
      release();
      await late;
      const next = await store.readEventsAfter(await store.cursorAt(seen[0]!.cursor.position), 10);
      expect(next.map((e) => [e.aggregateId, e.cursor.position < seen[0]!.cursor.position])).toEqual([["late", true]]);
    } finally {
      await store.close();
    }
  });

  it("follows the log in transaction order when the transaction ids differ in their number of digits", async () => {
    const store = await testStore("postgres");
    try {
      // Ids as the server's counter gives them on its way from 9 to 10: as text, "10" sorts first.
      for (const [transactionId, aggregateId] of [
        ["9", "ninth"],
        ["10", "tenth"],
      ]) {
        await store.sql.run(
          `INSERT INTO events (transaction_id, instance_id, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at)
           VALUES (?::xid8, 'default', 'test', ?, 1, 'test.happened', 1, '{}', 'test', 'test', 0)`,
          [transactionId, aggregateId],
        );
      }
      const all = await store.readEventsAfter(START_OF_LOG, 10);
      expect(all.map((e) => e.aggregateId)).toEqual(["ninth", "tenth"]);
      const afterFirst = await store.readEventsAfter(await store.cursorAt(all[0]!.cursor.position), 10);
      expect(afterFirst.map((e) => e.aggregateId)).toEqual(["tenth"]);
    } finally {
      await store.close();
    }
  });

  it("migrates a new database once when replicas start at the same moment", async () => {
    const databaseUrl = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => testStore("postgres", databaseUrl)));
    try {
      const rows = await stores[0]!.sql.all<{ version: number }>(`SELECT version FROM schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
