import { readdirSync, readFileSync } from "node:fs";
import bcrypt from "bcrypt";
import { afterAll, describe, expect, it } from "vitest";
import { HashWorkers } from "../../src/crypto/hash-workers.js";

const workers = new HashWorkers(2);
afterAll(() => workers.close());

function threadNiceValues(): number[] {
  return readdirSync("/proc/self/task").map((tid) => {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[16]);
  });
}

describe("hash workers", () => {
  it("hash and compare on threads of the lowest priority, more jobs than threads in order", async () => {
    const hashes = await Promise.all(Array.from({ length: 5 }, (_, i) => workers.hash(`pw${i}`, 4)));
    expect(hashes.map((hash, i) => bcrypt.compareSync(`pw${i}`, hash))).toEqual([true, true, true, true, true]);
    expect(await workers.compare("pw1", hashes[1]!)).toBe(true);
    expect(await workers.compare("pw1", hashes[2]!)).toBe(false);
    expect(threadNiceValues().filter((nice) => nice === 19).length).toBeGreaterThanOrEqual(2);
    expect(threadNiceValues()).toContain(0);
  });

  it("fails a job bcrypt rejects, and keeps working", async () => {
    await expect(workers.hash("pw", 99)).rejects.toThrow();
    expect(await workers.compare("pw", bcrypt.hashSync("pw", 4))).toBe(true);
  });

  it("finishes the jobs it was given when closed, then refuses work", async () => {
    const closing = new HashWorkers(1);
    const given = [closing.hash("a", 6), closing.hash("b", 6), closing.hash("c", 6)];
    await closing.close();
    const hashes = await Promise.all(given);
    expect(hashes.map((hash, i) => bcrypt.compareSync("abc"[i]!, hash))).toEqual([true, true, true]);
    await expect(closing.hash("pw", 4)).rejects.toThrow("closed");
  });
});
