import { describe, expect, it } from "vitest";
import { BookkeepingMap } from "../../src/app/bookkeeping-map.js";
import { bookkeepingKey } from "../../src/crypto/digest.js";

describe("bookkeeping keyed by what callers send", () => {
  it("keeps a fixed number of entries, dropping the least recently touched", () => {
    const map = new BookkeepingMap<number>(3);
    for (const key of ["a", "b", "c"]) map.set(key, 1);
    map.set("a", 2); // touched: now the newest
    map.set("d", 1);
    expect(map.size).toBe(3);
    expect(map.get("b")).toBeUndefined();
    expect(map.get("a")).toBe(2);
  });

  it("keys entries by a fixed-size digest, however long the key is", () => {
    expect(bookkeepingKey("x".repeat(1_000_000))).toHaveLength(22);
    expect(bookkeepingKey("a")).toHaveLength(22);
    expect(bookkeepingKey("a")).not.toBe(bookkeepingKey("b"));
    const map = new BookkeepingMap<number>(10);
    map.set("7".padEnd(1_000_000, "x"), 7);
    expect(map.get("7".padEnd(1_000_000, "x"))).toBe(7);
  });
});
