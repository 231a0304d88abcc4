import { createHash } from "node:crypto";
import { bytesEqual, wholeNumber, type HashReader } from "./imported-hash.js";
import { crypt64From24Bits } from "./crypt64.js";

const DEFAULT_ROUNDS = 5000;
const MOST_ROUNDS = 999_999_999;

/** The byte triples each group of four output characters is made of (Drepper's specification). */
const ORDER: Record<"sha256" | "sha512", { triples: number[][]; tail: number[] }> = {
  sha256: {
    triples: [0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29].reduce(
      triplesOf,
      [],
    ),
    tail: [31, 30], // then two bytes in three characters
  },
  sha512: {
    triples: [
      0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51, 31, 52, 10, 53, 11, 32,
      12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60, 40, 61, 19, 62, 20, 41,
    ].reduce(triplesOf, []),
    tail: [63], // then one byte in two characters
  },
};

function triplesOf(groups: number[][], index: number, i: number): number[][] {
  if (i % 3 === 0) groups.push([index]);
  else groups[groups.length - 1]!.push(index);
  return groups;
}

/** crypt(3)'s SHA-256 and SHA-512 schemes: `$5$` / `$6$`, optionally `rounds=N$`, then salt and hash. */
export const readShaCrypt: HashReader = (encoded) => {
  const match = /^\$([56])\$(?:rounds=(\d{1,9})\$)?([^$:\n]{0,16})\$([./0-9A-Za-z]+)$/.exec(encoded);
  if (match === null) return null;
  const algorithm = match[1] === "5" ? "sha256" : "sha512";
  if (match[4]!.length !== (algorithm === "sha256" ? 43 : 86)) return null;
  const given = match[2] === undefined ? DEFAULT_ROUNDS : wholeNumber(match[2], 0, MOST_ROUNDS);
  if (given === null) return null;
  const rounds = Math.max(1000, given); // as the specification clamps it
  const salt = Buffer.from(match[3]!, "utf8");
  return {
    family: `${algorithm}-crypt`,
    cost: { rounds },
    work: { parameter: "rounds", value: rounds, perUnit: algorithm === "sha256" ? 37 : 26 },
    verify: (password) => bytesEqual(Buffer.from(shaCrypt(algorithm, Buffer.from(password, "utf8"), salt, rounds)), Buffer.from(match[4]!)),
  };
};

/** `length` bytes of `block` repeated. */
function repeated(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function shaCrypt(algorithm: "sha256" | "sha512", password: Buffer, salt: Buffer, rounds: number): string {
  const hash = (...parts: Buffer[]) => {
    const h = createHash(algorithm);
    for (const part of parts) h.update(part);
    return h.digest();
  };
  const alternate = hash(password, salt, password);
  const first = [password, salt, repeated(alternate, password.length)];
  for (let bits = password.length; bits > 0; bits >>= 1) first.push(bits & 1 ? alternate : password);
  let digest = hash(...first);
  const passwordBytes = repeated(hash(...Array.from({ length: password.length }, () => password)), password.length);
  const saltBytes = repeated(hash(...Array.from({ length: 16 + digest[0]! }, () => salt)), salt.length);
  for (let round = 0; round < rounds; round++) {
    const h = createHash(algorithm).update(round & 1 ? passwordBytes : digest);
    if (round % 3) h.update(saltBytes);
    if (round % 7) h.update(passwordBytes);
    digest = h.update(round & 1 ? digest : passwordBytes).digest();
  }
  const { triples, tail } = ORDER[algorithm];
  const body = triples.map(([a, b, c]) => crypt64From24Bits(digest[a!]!, digest[b!]!, digest[c!]!, 4)).join("");
  return (
    body +
    (tail.length === 2 ? crypt64From24Bits(0, digest[tail[0]!]!, digest[tail[1]!]!, 3) : crypt64From24Bits(0, 0, digest[tail[0]!]!, 2))
  );
}
