import { createHash, createHmac } from "node:crypto";
import { BCRYPT_INPUT_BYTES, BCRYPT_PATTERN, BCRYPT_PREFIX } from "./bcrypt-format.js";
import { HashWorkers, type HashJobObserver } from "./hash-workers.js";
import { readImportedHash } from "./imported/read-imported-hash.js";
import { tooCostly } from "./imported/work.js";
import { Peppers, type Pepper } from "./peppers.js";

/*
 * Stored password hashes, and why:
 *
 * - "bcrypt-sha384:$2b$<cost>$..." (ours): bcrypt over base64(SHA-384(password)). bcrypt reads only
 *   72 bytes of its input; pre-hashing makes every byte of a password up to the 200-character
 *   limit count, and the 64-character base64 digest has no NUL bytes for bcrypt to stop at.
 * - "bcrypt-hmac-sha384:<pepper id>:$2b$<cost>$..." (ours, with a pepper configured): the same over
 *   base64(HMAC-SHA-384(pepper, password)), so the database alone cannot be cracked offline. A
 *   successful check re-hashes under the current pepper when it was made under another (rotation).
 * - "$2a$/$2b$/$2y$<cost>$..." (imported as is): standard bcrypt over the password itself, so hashes
 *   from other systems verify. A successful check re-hashes into our scheme at the current cost.
 * - Any other system's hash that crypto/imported/ reads (Argon2, scrypt, PBKDF2, Django, crypt(3),
 *   phpass, Firebase, ASP.NET Identity, LDAP), imported as is and re-hashed at the first successful check.
 */
const SCHEME_PREFIX = "bcrypt-sha384:";
const PEPPERED_PREFIX = "bcrypt-hmac-sha384:";

type HashScheme = "bcrypt-sha384" | "bcrypt-hmac-sha384" | "bcrypt";

interface ParsedHash {
  scheme: HashScheme;
  /** For bcrypt-hmac-sha384: the pepper it was made under. */
  pepperId: string | null;
  bcryptHash: string;
  cost: number;
}

/** What a stored hash made under this pepper starts with (how the store finds hashes still using it). */
export function pepperedHashPrefix(pepperId: string): string {
  return `${PEPPERED_PREFIX}${pepperId}:`;
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

/**
 * The bcrypt costs whose work adds up to what a compare at `configured` costs beyond one at
 * `stored`: 2^s + 2^(s+1) + … + 2^(c−1) = 2^c − 2^s. Empty when the stored hash costs as much or more.
 */
function paddingCosts(stored: number, configured: number): number[] {
  const costs: number[] = [];
  for (let cost = stored; cost < configured; cost++) costs.push(cost);
  return costs;
}

function parse(stored: string): ParsedHash | null {
  let scheme: HashScheme = "bcrypt";
  let pepperId: string | null = null;
  let bcryptHash = stored;
  if (stored.startsWith(SCHEME_PREFIX)) {
    scheme = "bcrypt-sha384";
    bcryptHash = stored.slice(SCHEME_PREFIX.length);
  } else if (stored.startsWith(PEPPERED_PREFIX)) {
    const rest = stored.slice(PEPPERED_PREFIX.length);
    const colon = rest.indexOf(":");
    if (colon < 1) return null;
    scheme = "bcrypt-hmac-sha384";
    pepperId = rest.slice(0, colon);
    bcryptHash = rest.slice(colon + 1);
  }
  const match = BCRYPT_PATTERN.exec(bcryptHash);
  if (!match) return null;
  // $2y$ (PHP) is the same algorithm as $2b$; the native module only knows $2a$ and $2b$.
  return { scheme, pepperId, bcryptHash: bcryptHash.replace(/^\$2y\$/, "$2b$"), cost: Number(match[1]) };
}

function preHash(password: string, pepper: Pepper | null): string {
  const mac = pepper === null ? createHash("sha384") : createHmac("sha384", pepper.key);
  return mac.update(password, "utf8").digest("base64");
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
    private readonly peppers: Peppers = Peppers.none(),
    observe?: HashJobObserver,
  ) {
    this.workers = new HashWorkers(concurrency, observe);
    this.maxCost = maxImportedCost(cost);
  }

  async hash(password: string): Promise<string> {
    const pepper = this.peppers.current;
    const hashed = await this.workers.hash(preHash(password, pepper), this.cost);
    return (pepper === null ? SCHEME_PREFIX : pepperedHashPrefix(pepper.id)) + hashed;
  }

  /**
   * A failed check costs the same bcrypt work whatever the stored hash: one compare at the
   * configured cost. A cheaper hash (imported at a lower cost, or made before the cost was raised)
   * is padded up to it; one this server cannot read, or above the import cap, is not compared at
   * all but costs a hash at the configured cost. Only a hash dearer than the configured cost (made
   * before the cost was lowered) takes longer, until its user logs in and it is re-hashed.
   */
  async verify(password: string, stored: string): Promise<VerifyResult> {
    const parsed = parse(stored);
    const noMatch = { matches: false, needsRehash: false };
    // An imported hash above the cost we accept (stored before the limit) is not worth a thread's
    // seconds. Our own hashes verify at any cost they were made with, even after the cost is lowered.
    if (!parsed) return this.verifyImported(password, stored);
    if (parsed.scheme === "bcrypt" && parsed.cost > this.maxCost) {
      await this.workers.hash(preHash(password, null), this.cost);
      return noMatch;
    }
    const padding = paddingCosts(parsed.cost, this.cost);
    // A pepper that is not configured cannot verify its hashes (start-up refuses to drop one in use).
    const pepper = parsed.pepperId === null ? null : (this.peppers.get(parsed.pepperId) ?? undefined);
    if (pepper === undefined) {
      await this.workers.compare(preHash(password, null), parsed.bcryptHash, padding); // as long as a real check
      return noMatch;
    }
    const input = parsed.scheme === "bcrypt" ? password : preHash(password, pepper);
    const matches = await this.workers.compare(input, parsed.bcryptHash, padding);
    const ambiguous = parsed.scheme === "bcrypt" && Buffer.byteLength(password, "utf8") > BCRYPT_INPUT_BYTES;
    const current = this.peppers.current;
    const outdated = parsed.cost !== this.cost || (current === null ? parsed.scheme !== "bcrypt-sha384" : parsed.pepperId !== current.id);
    return { matches, needsRehash: matches && !ambiguous && outdated };
  }

  /** Why this server will not take a hash another system made, or null when it will. */
  importRefusal(stored: string): string | null {
    if (BCRYPT_PREFIX.test(stored)) {
      if (isImportableBcryptHash(stored, this.maxCost)) return null;
      return `must be a bcrypt hash in modular crypt format (2a or 2b or 2y with cost 4 to ${this.maxCost})`;
    }
    const imported = readImportedHash(stored);
    if (imported === null)
      return "must be a password hash in a format this server reads such as bcrypt or Argon2 or scrypt or PBKDF2 (the README lists them)";
    return tooCostly(imported, this.cost);
  }

  /** Another system's hash: a failed check costs what one at the configured cost does (the thread pads it). */
  private async verifyImported(password: string, stored: string): Promise<VerifyResult> {
    const imported = readImportedHash(stored);
    if (imported === null || tooCostly(imported, this.cost) !== null) {
      await this.workers.hash(preHash(password, null), this.cost);
      return { matches: false, needsRehash: false };
    }
    const matches = await this.workers.verifyImported(password, stored, this.cost);
    const ambiguous = imported.readsBytes !== undefined && Buffer.byteLength(password, "utf8") > imported.readsBytes;
    return { matches, needsRehash: matches && !ambiguous };
  }

  /** bcrypt jobs waiting and running (for the metrics). */
  jobs(): { queued: number; running: number } {
    return this.workers.stats();
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}
