import { createHash } from "node:crypto";
import { HashWorkers } from "./hash-workers.js";

/*
 * Stored password hashes, and why:
 *
 * - "bcrypt-sha384:$2b$<cost>$..." (ours): bcrypt over base64(SHA-384(password)). bcrypt reads only
 *   72 bytes of its input; pre-hashing makes every byte of a password up to the 200-character
 *   limit count, and the 64-character base64 digest has no NUL bytes for bcrypt to stop at.
 * - "$2a$/$2b$/$2y$<cost>$..." (imported as is): standard bcrypt over the password itself, so hashes
 *   from other systems verify. A successful check re-hashes into our scheme at the current cost.
 */
const SCHEME_PREFIX = "bcrypt-sha384:";
const BCRYPT_PATTERN = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

export type HashScheme = "bcrypt-sha384" | "bcrypt";

interface ParsedHash {
  scheme: HashScheme;
  bcryptHash: string;
  cost: number;
}

/** bcrypt's cost is exponential: an imported hash may cost at most this much more than our own. */
const IMPORT_COST_ABOVE_CONFIGURED = 2;
/** ... and never more than this (about 4 s a compare on a current core), unless ours is higher. */
const IMPORT_COST_CEILING = 16;

/** The highest cost an imported hash may have, so that no stored hash can tie up the hash threads. */
export function maxImportedCost(configuredCost: number): number {
  return Math.max(configuredCost, Math.min(configuredCost + IMPORT_COST_ABOVE_CONFIGURED, IMPORT_COST_CEILING));
}

export function isImportableBcryptHash(hash: string, maxCost: number): boolean {
  const match = BCRYPT_PATTERN.exec(hash);
  return match !== null && Number(match[1]) >= 4 && Number(match[1]) <= maxCost;
}

/** bcrypt reads only the first 72 bytes of its input. */
const BCRYPT_INPUT_BYTES = 72;

function parse(stored: string): ParsedHash | null {
  const scheme: HashScheme = stored.startsWith(SCHEME_PREFIX) ? "bcrypt-sha384" : "bcrypt";
  const bcryptHash = scheme === "bcrypt" ? stored : stored.slice(SCHEME_PREFIX.length);
  const match = BCRYPT_PATTERN.exec(bcryptHash);
  if (!match) return null;
  // $2y$ (PHP) is the same algorithm as $2b$; the native module only knows $2a$ and $2b$.
  return { scheme, bcryptHash: bcryptHash.replace(/^\$2y\$/, "$2b$"), cost: Number(match[1]) };
}

function preHash(password: string): string {
  return createHash("sha384").update(password, "utf8").digest("base64");
}

export interface VerifyResult {
  matches: boolean;
  /**
   * The hash was made with an older scheme or cost and should be replaced. Never for a standard
   * bcrypt hash matched by a password longer than 72 bytes: any text with the same first 72 bytes
   * matches too, and re-hashing the one typed would replace the password the user knows.
   */
  needsRehash: boolean;
}

export class PasswordHasher {
  private readonly workers: HashWorkers;

  /** `concurrency` is the number of bcrypt threads: more than the cores only makes jobs share them. */
  readonly maxCost: number;

  constructor(
    readonly cost: number,
    concurrency: number,
  ) {
    this.workers = new HashWorkers(concurrency);
    this.maxCost = maxImportedCost(cost);
  }

  async hash(password: string): Promise<string> {
    const hashed = await this.workers.hash(preHash(password), this.cost);
    return SCHEME_PREFIX + hashed;
  }

  async verify(password: string, stored: string): Promise<VerifyResult> {
    const parsed = parse(stored);
    // An imported hash above the cost we accept (stored before the limit) is not worth a thread's
    // seconds. Our own hashes verify at any cost they were made with, even after the cost is lowered.
    if (!parsed || (parsed.scheme === "bcrypt" && parsed.cost > this.maxCost)) return { matches: false, needsRehash: false };
    const input = parsed.scheme === "bcrypt-sha384" ? preHash(password) : password;
    const matches = await this.workers.compare(input, parsed.bcryptHash);
    const ambiguous = parsed.scheme === "bcrypt" && Buffer.byteLength(password, "utf8") > BCRYPT_INPUT_BYTES;
    return { matches, needsRehash: matches && !ambiguous && (parsed.scheme !== "bcrypt-sha384" || parsed.cost !== this.cost) };
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}
