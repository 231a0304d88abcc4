import Database from "better-sqlite3";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/database.js";
import { GroupCommit } from "../../src/store/group-commit.js";
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
  const commits = new GroupCommit(db, (error) => failures.push(error));
  const note = (text: string, parent: number | null = null) =>
    commits.write(() => db.prepare("INSERT INTO notes (text, parent) VALUES (?, ?)").run(text, parent));
  return { db, commits, committed, failures, note };
}

describe("group commit", () => {
  it("commits writes made together in one go, and only then settles durable()", async () => {
    const { commits, committed, note } = databases();
    note("a");
    note("b");
    expect(commits.isOpen()).toBe(true);
    expect(committed()).toEqual([]);
    await commits.durable();
    expect(committed()).toEqual(["a", "b"]);
    expect(commits.isOpen()).toBe(false);
    note("c");
    await commits.durable();
    expect(committed()).toEqual(["a", "b", "c"]);
  });

  it("rolls back a write that throws, alone", async () => {
    const { commits, committed, note } = databases();
    note("a");
    expect(() => note("a")).toThrow(/UNIQUE/);
    note("b");
    await commits.durable();
    expect(committed()).toEqual(["a", "b"]);
  });

  it("fails every write of a group whose commit fails, and goes on with the next", async () => {
    const { commits, committed, failures, note } = databases();
    note("fine");
    note("orphan", 42); // the deferred foreign key fails only at COMMIT
    await expect(commits.durable()).rejects.toThrow(/FOREIGN KEY/);
    expect(failures).toHaveLength(1);
    expect(committed()).toEqual([]);
    note("later");
    await commits.durable();
    expect(committed()).toEqual(["later"]);
  });

  it("commits what is pending when flushed, as before closing", () => {
    const { commits, committed, note } = databases();
    note("a");
    commits.flush();
    expect(committed()).toEqual(["a"]);
    expect(commits.isOpen()).toBe(false);
  });
});
