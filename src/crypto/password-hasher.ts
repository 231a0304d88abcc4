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

export function isImportableBcryptHash(hash: string): boolean {
  const match = BCRYPT_PATTERN.exec(hash);
  return match !== null && Number(match[1]) >= 4 && Number(match[1]) <= 31;
}

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
  /** The hash was made with an older scheme or cost and should be replaced. */
  needsRehash: boolean;
}

export class PasswordHasher {
  private readonly workers: HashWorkers;

  /** `concurrency` is the number of bcrypt threads: more than the cores only makes jobs share them. */
  constructor(
    readonly cost: number,
    concurrency: number,
  ) {
    this.workers = new HashWorkers(concurrency);
  }

  async hash(password: string): Promise<string> {
    const hashed = await this.workers.hash(preHash(password), this.cost);
    return SCHEME_PREFIX + hashed;
  }

  async verify(password: string, stored: string): Promise<VerifyResult> {
    const parsed = parse(stored);
    if (!parsed) return { matches: false, needsRehash: false };
    const input = parsed.scheme === "bcrypt-sha384" ? preHash(password) : password;
    const matches = await this.workers.compare(input, parsed.bcryptHash);
    return { matches, needsRehash: matches && (parsed.scheme !== "bcrypt-sha384" || parsed.cost !== this.cost) };
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}
