import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BreachedPasswords } from "../../src/app/passwords/breached-passwords.js";
import { tempDataDir } from "../helpers/server.js";

const sha1 = (text: string) => createHash("sha1").update(text, "utf8").digest("hex").toUpperCase();

/** A list in Have I Been Pwned's format: `count` random entries plus the given passwords, sorted. */
function breachList(count: number, passwords: Record<string, number>, newline = "\n"): string {
  const lines = Array.from({ length: count }, () => `${randomBytes(20).toString("hex").toUpperCase()}:${1 + (randomBytes(1)[0]! % 50)}`);
  for (const [password, seen] of Object.entries(passwords)) lines.push(`${sha1(password)}:${seen}`);
  lines.sort();
  const path = join(tempDataDir(), "pwned.txt");
  writeFileSync(path, lines.join(newline) + newline);
  return path;
}

describe("a breached-password list", () => {
  it("finds what is in a sorted file of a million hashes, and nothing else, without loading it", () => {
    const path = breachList(1_000_000, { "P@ssw0rd-2019!": 3, "correct horse battery staple": 120, "tr0ub4dor&3": 1 });
    const list = new BreachedPasswords(path);
    for (const password of ["P@ssw0rd-2019!", "correct horse battery staple", "tr0ub4dor&3"]) expect(list.has(password)).toBe(true);
    for (const password of ["P@ssw0rd-2019?", "Correct horse battery staple", "", "x".repeat(200)]) expect(list.has(password)).toBe(false);
    list.close();
    const often = new BreachedPasswords(path, 2);
    expect(often.has("correct horse battery staple")).toBe(true);
    expect(often.has("tr0ub4dor&3")).toBe(false); // seen once, fewer than asked
    often.close();
  });

  it("reads CRLF lines, the first and the last line, and refuses a file in another format", () => {
    const path = breachList(1_000, { "\u0000first-by-luck": 1 }, "\r\n");
    const list = new BreachedPasswords(path);
    expect(list.has("\u0000first-by-luck")).toBe(true);
    list.close();
    const edges = join(tempDataDir(), "edges.txt");
    const hashes = [sha1("a"), sha1("b"), sha1("c")].sort();
    writeFileSync(edges, hashes.map((h) => `${h}:1`).join("\n"));
    const small = new BreachedPasswords(edges);
    for (const word of ["a", "b", "c"]) expect(small.has(word)).toBe(true);
    expect(small.has("d")).toBe(false);
    small.close();
    const wrong = join(tempDataDir(), "wrong.txt");
    writeFileSync(wrong, "password123\nqwerty\n");
    expect(() => new BreachedPasswords(wrong)).toThrow(/not a list of SHA-1:COUNT lines/);
  });
});
