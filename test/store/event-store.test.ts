import { describe, expect, it } from "vitest";
import { ConcurrencyError } from "../../src/store/event-store.js";
import { openStore } from "../../src/store/store.js";
import { tempDataDir } from "../helpers/server.js";

const batch = (expectedSequence: number, count = 1) => ({
  aggregateType: "user",
  aggregateId: "u1",
  owner: "o1",
  creator: "test",
  expectedSequence,
  createdAt: 1,
  events: Array.from({ length: count }, (_, i) => ({ type: "test.event", i })),
});

describe("the event store", () => {
  it("appends with per-aggregate sequences and refuses a stale expected sequence", () => {
    const store = openStore(tempDataDir());
    expect(store.events.append(batch(0, 2), () => undefined)).toBe(2);
    expect(() => store.events.append(batch(0), () => undefined)).toThrow(ConcurrencyError);
    expect(() => store.events.append(batch(1), () => undefined)).toThrow(ConcurrencyError);
    expect(store.events.append(batch(2), () => undefined)).toBe(3);
    expect([...store.events.readAll()].map((e) => [e.sequence, e.payload])).toEqual([
      [1, { i: 0 }],
      [2, { i: 1 }],
      [3, { i: 0 }],
    ]);
    store.close();
  });

  it("rolls back the events when the projection fails", () => {
    const store = openStore(tempDataDir());
    expect(() =>
      store.events.append(batch(0), () => {
        throw new Error("projection failed");
      }),
    ).toThrow("projection failed");
    expect([...store.events.readAll()]).toEqual([]);
    store.close();
  });

  it("keeps events append-only", () => {
    const store = openStore(tempDataDir());
    store.events.append(batch(0), () => undefined);
    expect(() => store.db.exec(`UPDATE events SET payload = '{}'`)).toThrow(/append-only/);
    expect(() => store.db.exec(`DELETE FROM events`)).toThrow(/append-only/);
    store.close();
  });

  it("reads all events across page boundaries", () => {
    const store = openStore(tempDataDir());
    store.events.append(batch(0, 5), () => undefined);
    expect([...store.events.readAll(2)].map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    store.close();
  });
});
