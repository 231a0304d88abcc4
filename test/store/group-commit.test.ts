import Database from "better-sqlite3";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/sqlite/database.js";
import { GroupCommit } from "../../src/store/sqlite/group-commit.js";
import { tempDataDir } from "../helpers/server.js";

/** A writer's database and a second connection that sees only what is committed. */
function databases() {
  const path = join(tempDataDir(), "group.db");
  const db = openDatabase(path);
  db.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY);
           CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE,
             parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)`);
  const reader = new Database(path, { readonly: true });
  const committed = () => reader.prepare("SELECT text FROM notes ORDER BY id").pluck().all();
  const failures: Error[] = [];
  const commits = new GroupCommit(db, (error: Error) => failures.push(error));
  const insert = db.prepare("INSERT INTO notes (text, parent) VALUES (?, ?)");
  const note = (text: string, parent: number | null = null) => commits.write(async () => insert.run(text, parent));
  return { db, commits, committed, failures, note };
}

describe("group commit", () => {
  it("commits writes made together in one go, and only then settles durable()", async () => {
    const { commits, committed, note } = databases();
    await Promise.all([note("a"), note("b")]);
    expect(commits.isOpen()).toBe(true);
    expect(committed()).toEqual([]);
    await commits.durable();
    expect(committed()).toEqual(["a", "b"]);
    expect(commits.isOpen()).toBe(false);
    await note("c");
    await commits.durable();
    expect(committed()).toEqual(["a", "b", "c"]);
  });

  it("rolls back a write that throws, alone, even after it wrote", async () => {
    const { db, commits, committed, note } = databases();
    await note("a");
    const insert = db.prepare("INSERT INTO notes (text) VALUES (?)");
    const halfDone = commits.write(async () => {
      insert.run("half");
      throw new Error("changed its mind");
    });
    await expect(halfDone).rejects.toThrow("changed its mind");
    await expect(note("a")).rejects.toThrow(/UNIQUE/);
    await note("b");
    await commits.durable();
    expect(committed()).toEqual(["a", "b"]);
  });

  it("runs writes one at a time, so one write's savepoint never holds another's", async () => {
    const { commits, committed, note } = databases();
    const order: string[] = [];
    const slow = commits.write(async () => {
      order.push("slow in");
      await Promise.resolve();
      await Promise.resolve();
      order.push("slow out");
      throw new Error("rolled back");
    });
    const fast = note("fast").then(() => order.push("fast"));
    await expect(slow).rejects.toThrow("rolled back");
    await fast;
    await commits.durable();
    expect(order).toEqual(["slow in", "slow out", "fast"]);
    expect(committed()).toEqual(["fast"]);
  });

  it("fails every write of a group whose commit fails, and goes on with the next", async () => {
    const { commits, committed, failures, note } = databases();
    await note("fine");
    await note("orphan", 42); // the deferred foreign key fails only at COMMIT
    await expect(commits.durable()).rejects.toThrow(/FOREIGN KEY/);
    expect(failures).toHaveLength(1);
    expect(committed()).toEqual([]);
    await note("later");
    await commits.durable();
    expect(committed()).toEqual(["later"]);
  });

  it("commits what is pending when closed", async () => {
    const { commits, committed, note } = databases();
    await note("a");
    await commits.close();
    expect(committed()).toEqual(["a"]);
    expect(commits.isOpen()).toBe(false);
  });
});
