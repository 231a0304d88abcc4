import { readFileSync } from "node:fs";

export interface ReferenceHash {
  family: string;
  hash: string;
  password: string;
  /** Which code made it (make-hashes.py), or where it was published. */
  madeBy?: string;
  source?: string;
}

const load = (file: string): ReferenceHash[] =>
  JSON.parse(readFileSync(new URL(`../fixtures/hashes/${file}`, import.meta.url), "utf8")) as ReferenceHash[];

/** Hashes made by Django, passlib and argon2-cffi themselves (test/fixtures/hashes/make-hashes.py). */
export const MADE_BY_REFERENCE_CODE = load("reference-hashes.json");
/** Test vectors Firebase and Microsoft published with their implementations, and hashes Drupal 7 made. */
export const PUBLISHED_VECTORS = load("published-vectors.json");
export const REFERENCE_HASHES = [...MADE_BY_REFERENCE_CODE, ...PUBLISHED_VECTORS];
/** The first reference hash of each family. */
export const ONE_PER_FAMILY = [...new Map(REFERENCE_HASHES.map((r) => [r.family, r])).values()];
