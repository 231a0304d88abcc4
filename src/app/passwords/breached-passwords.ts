import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const HASH_LENGTH = 40;
/** Longer than any line (40 hex digits, ":", a count, CRLF): a read this long from anywhere holds a whole next line. */
const WINDOW = 128;

/**
 * A breached-password list in the format of Have I Been Pwned's downloadable SHA-1 file
 * (`HASH:COUNT` lines in upper-case hex, sorted by hash, LF or CRLF), of any size: looked up by
 * binary search over the file's bytes, a few small reads per check, never loaded into memory.
 */
export class BreachedPasswords {
  private readonly fd: number;
  private readonly size: number;

  /** `minCount`: how often a password must have been seen in breaches to be refused. */
  constructor(
    path: string,
    private readonly minCount = 1,
  ) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
    const first = this.lineAt(0);
    if (this.size > 0 && (first === null || !/^[0-9A-F]{40}$/.test(first.hash))) {
      closeSync(this.fd);
      throw new Error(`${path} is not a list of SHA-1:COUNT lines (Have I Been Pwned's format)`);
    }
  }

  /** Whether the password is in the list at least `minCount` times. */
  has(password: string): boolean {
    const hash = createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();
    // The first line starting at or after `low` whose hash is >= hash, found by halving [low, high).
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const line = this.lineAt(middle);
      if (line === null || line.hash >= hash) high = middle;
      else low = line.next;
    }
    const found = this.lineAt(low);
    return found !== null && found.hash === hash && found.count >= this.minCount;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The first whole line that starts at or after `offset` (0: the first line), with where the one after starts. */
  private lineAt(offset: number): { hash: string; count: number; next: number } | null {
    let start = offset;
    const buffer = Buffer.alloc(WINDOW * 2);
    if (offset > 0) {
      // Step back one byte, so that a line starting exactly at `offset` is found.
      const read = readSync(this.fd, buffer, 0, WINDOW, offset - 1);
      const newline = buffer.subarray(0, read).indexOf(0x0a);
      if (newline < 0) return null;
      start = offset + newline;
    }
    if (start >= this.size) return null;
    const read = readSync(this.fd, buffer, 0, WINDOW, start);
    const text = buffer.subarray(0, read).toString("latin1");
    const end = text.indexOf("\n");
    const line = (end < 0 ? text : text.slice(0, end)).replace(/\r$/, "");
    const colon = line.indexOf(":");
    if (colon !== HASH_LENGTH) return null;
    return { hash: line.slice(0, HASH_LENGTH), count: Number(line.slice(colon + 1)), next: end < 0 ? this.size : start + end + 1 };
  }
}
