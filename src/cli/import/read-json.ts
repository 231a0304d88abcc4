import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import chain from "stream-chain";
import { parser } from "stream-json";
import { pick } from "stream-json/filters/pick.js";
import { streamArray } from "stream-json/streamers/stream-array.js";

export type Parsed = { at: string; value: unknown } | { at: string; error: string };

/**
 * Each line of a file of JSON lines, parsed on its own: a broken line is an error for that line
 * only. Read a chunk at a time as the caller takes lines (readline's iterator would buffer the
 * whole file ahead of a slow caller).
 */
export async function* jsonLines(input: Readable): AsyncIterable<Parsed> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let n = 0;
  const parsed = (line: string): Parsed => {
    try {
      return { at: `line ${n}`, value: JSON.parse(line) as unknown };
    } catch {
      return { at: `line ${n}`, error: "is not a JSON object (malformed or cut short)" };
    }
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const lines = (rest + decoder.write(chunk)).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      n++;
      if (line.trim() !== "") yield parsed(line);
    }
  }
  rest += decoder.end();
  n++;
  if (rest.trim() !== "") yield parsed(rest);
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
