import type { Readable } from "node:stream";
import { createInterface } from "node:readline";
import chain from "stream-chain";
import { parser } from "stream-json";
import { pick } from "stream-json/filters/pick.js";
import { streamArray } from "stream-json/streamers/stream-array.js";

export type Parsed = { at: string; value: unknown } | { at: string; error: string };

/** Each line of a file of JSON lines, parsed on its own: a broken line is an error for that line only. */
export async function* jsonLines(input: Readable): AsyncIterable<Parsed> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === "") continue;
    try {
      yield { at: `line ${n}`, value: JSON.parse(line) as unknown };
    } catch {
      yield { at: `line ${n}`, error: "is not a JSON object (malformed or cut short)" };
    }
  }
}

/**
 * The elements of the array at `path` in a JSON document (the document itself when no path), one
 * at a time. A document that breaks off or is not JSON ends with an error after the last element read.
 */
export async function* jsonArray(input: Readable, path?: string): AsyncIterable<Parsed> {
  const stages = [input, parser(), ...(path === undefined ? [] : [pick({ filter: path })]), streamArray()];
  const pipeline = chain(stages as never);
  const name = path ?? "";
  let last = -1;
  try {
    for await (const item of pipeline as AsyncIterable<{ key: number; value: unknown }>) {
      last = item.key;
      yield { at: `${name}[${item.key}]`, value: item.value };
    }
  } catch {
    yield {
      at: `${name}[${last + 1}]`,
      error: `the file is not a JSON document with ${path === undefined ? "an array" : `an array at "${path}"`} from here on (malformed or cut short)`,
    };
    return;
  }
  if (last === -1) yield { at: name || "file", error: `holds no users${path === undefined ? "" : ` at "${path}"`}` };
}
