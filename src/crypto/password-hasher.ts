import { createHash, createHmac } from "node:crypto";
import { BCRYPT_INPUT_BYTES, BCRYPT_PATTERN, BCRYPT_PREFIX } from "./bcrypt-format.js";
import { bcryptEquivalentCost, sameArgon2Parameters, schemeUnits, type HashScheme } from "./hash-scheme.js";
import { HashWorkers, type CheckedHash, type HashJobObserver } from "./hash-workers.js";
import { readImportedHash } from "./imported/read-imported-hash.js";
import { tooCostly } from "./imported/work.js";
import { Peppers, type Pepper } from "./peppers.js";
import { argon2HashText, bcryptHashText, parseStoredHash, type StoredHash } from "./stored-hash.js";

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

type StoredBcrypt = Extract<StoredHash, { kind: "bcrypt" }>;
type StoredArgon2 = Extract<StoredHash, { kind: "argon2id" }>;
const NO_MATCH: VerifyResult = { matches: false, needsRehash: false };

export class PasswordHasher {
  private readonly workers: HashWorkers;
  readonly scheme: HashScheme;
  /** The highest cost an imported bcrypt hash may have. */
  readonly maxCost: number;

  /**
   * `scheme` is the one new hashes are made with (a number: bcrypt at that cost). `concurrency` is
   * the number of hash threads: more than the cores only makes jobs share them.
   */
  constructor(
    scheme: HashScheme | number,
    concurrency: number,
    private readonly peppers: Peppers = Peppers.none(),
    observe?: HashJobObserver,
  ) {
    this.scheme = typeof scheme === "number" ? { name: "bcrypt", cost: scheme } : scheme;
    this.workers = new HashWorkers(concurrency, observe);
    this.maxCost = maxImportedCost(bcryptEquivalentCost(this.scheme));
  }

  async hash(password: string): Promise<string> {
    const pepper = this.peppers.current;
    if (this.scheme.name === "argon2id") {
      return argon2HashText(await this.workers.hashArgon2id(password, this.scheme, pepper?.key), pepper?.id ?? null);
    }
    return bcryptHashText(await this.workers.hash(preHash(password, pepper), this.scheme.cost), pepper?.id ?? null);
  }

  /**
   * A failed check costs the same work whatever the stored hash: one check at the configured
   * scheme. A cheaper hash (imported, made at a lower cost or under another scheme) is padded up to
   * it; one this server cannot read, or above the import cap, is not checked at all but costs a
   * hash at the configured scheme. Only a hash dearer than that (made before the cost was lowered)
   * takes longer, until its user logs in and it is re-hashed.
   */
  verify(password: string, stored: string): Promise<VerifyResult> {
    const parsed = parseStoredHash(stored);
    if (parsed === null) return this.verifyImported(password, stored);
    return parsed.kind === "argon2id" ? this.verifyArgon2(password, parsed) : this.verifyBcrypt(password, parsed);
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
    return tooCostly(imported, schemeUnits(this.scheme));
  }

  private async verifyBcrypt(password: string, parsed: StoredBcrypt): Promise<VerifyResult> {
    // An imported hash above the cost we accept (stored before the limit) is not worth a thread's
    // seconds. Our own hashes verify at any cost they were made with, even after the cost is lowered.
    if (parsed.scheme === "bcrypt" && parsed.cost > this.maxCost) return this.noMatchAfterOneCheck(password);
    const pepper = this.pepperOf(parsed);
    if (pepper === undefined) {
      await this.checkBcrypt(preHash(password, null), parsed); // as long as a real check
      return NO_MATCH;
    }
    const input = parsed.scheme === "bcrypt" ? password : preHash(password, pepper);
    const matches = await this.checkBcrypt(input, parsed);
    const ambiguous = parsed.scheme === "bcrypt" && Buffer.byteLength(password, "utf8") > BCRYPT_INPUT_BYTES;
    const current = this.peppers.current;
    const outdated =
      this.scheme.name !== "bcrypt" ||
      parsed.cost !== this.scheme.cost ||
      (current === null ? parsed.scheme !== "bcrypt-sha384" : parsed.pepperId !== current.id);
    return { matches, needsRehash: matches && !ambiguous && outdated };
  }

  /** Against bcrypt, bcrypt pads exactly with the costs between the two; any other scheme, by time. */
  private checkBcrypt(input: string, parsed: StoredBcrypt): Promise<boolean> {
    if (this.scheme.name === "bcrypt") return this.workers.compare(input, parsed.bcryptHash, paddingCosts(parsed.cost, this.scheme.cost));
    return this.workers.verify(input, { kind: "bcrypt", hash: parsed.bcryptHash }, this.scheme);
  }

  private async verifyArgon2(password: string, parsed: StoredArgon2): Promise<VerifyResult> {
    const pepper = this.pepperOf(parsed);
    const against: CheckedHash = { kind: "argon2id", hash: parsed.phc, params: parsed.params, ...(pepper && { secret: pepper.key }) };
    const matches = await this.workers.verify(password, against, this.scheme);
    if (pepper === undefined) return NO_MATCH; // checked without its secret: as long as a real check
    const current = this.peppers.current;
    const outdated =
      this.scheme.name !== "argon2id" || !sameArgon2Parameters(parsed.params, this.scheme) || parsed.pepperId !== (current?.id ?? null);
    return { matches, needsRehash: matches && outdated };
  }

  /** Another system's hash: a failed check costs what one at the configured scheme does (the thread pads it). */
  private async verifyImported(password: string, stored: string): Promise<VerifyResult> {
    const imported = readImportedHash(stored);
    if (imported === null || tooCostly(imported, schemeUnits(this.scheme)) !== null) return this.noMatchAfterOneCheck(password);
    const matches = await this.workers.verify(password, { kind: "imported", hash: stored }, this.scheme);
    const ambiguous = imported.readsBytes !== undefined && Buffer.byteLength(password, "utf8") > imported.readsBytes;
    return { matches, needsRehash: matches && !ambiguous };
  }

  /**
   * The pepper a stored hash was made under: null for none, undefined for one not configured,
   * which cannot verify its hashes (start-up refuses to drop one still in use).
   */
  private pepperOf(parsed: StoredHash): Pepper | null | undefined {
    return parsed.pepperId === null ? null : this.peppers.get(parsed.pepperId);
  }

  /** No match, after as much work as one check at the configured scheme. */
  private async noMatchAfterOneCheck(password: string): Promise<VerifyResult> {
    await this.hash(password);
    return NO_MATCH;
  }

  /** Hash jobs waiting and running (for the metrics). */
  jobs(): { queued: number; running: number } {
    return this.workers.stats();
  }

  close(): Promise<void> {
    return this.workers.close();
  }
}
