import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { deriveKeys } from "../../src/crypto/keys.js";
import { open } from "../../src/crypto/sealed-box.js";
import { storeRows } from "./database.js";
import { postgresOf } from "./postgres.js";

/** Every file under dir whose bytes contain the secret, as UTF-8, UTF-16 or base64. */
export function filesContaining(dir: string, secret: string): string[] {
  const needles = [Buffer.from(secret, "utf8"), Buffer.from(secret, "utf16le"), Buffer.from(Buffer.from(secret).toString("base64"))];
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hits.push(...filesContaining(path, secret));
    else {
      const bytes = readFileSync(path);
      if (needles.some((n) => bytes.includes(n))) hits.push(path);
    }
  }
  return hits;
}

/**
 * Files under a data dir holding the code encrypted with the outbox key derived from the data
 * dir's own secret: what an attacker with a copy of the data dir (database, WAL and all) could
 * decrypt. Tries every base64 run long enough to be a sealed box.
 */
export function filesWithSealedCopy(dataDir: string, code: string): string[] {
  const keys = deriveKeys(Buffer.from(readFileSync(join(dataDir, "secret"), "utf8").trim(), "base64"));
  const hits: string[] = [];
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    if (statSync(path).isDirectory()) continue;
    if (holdsSealedCopy(keys.outbox, readFileSync(path).toString("latin1"), code)) hits.push(path);
  }
  return hits;
}

function holdsSealedCopy(key: Buffer, text: string, code: string): boolean {
  for (const [run] of text.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g)) {
    try {
      if (open(key, run) === code) return true;
    } catch {
      // not a sealed box under this key
    }
  }
  return false;
}

/**
 * Where the store of the server that ran on this data dir holds the code, plainly or sealed: the
 * data dir's files on SQLite, every table's rows on PostgreSQL.
 */
export async function storeLeaks(dataDir: string, code: string): Promise<string[]> {
  const database = await postgresOf(dataDir);
  if (database === null) return [...filesContaining(dataDir, code), ...filesWithSealedCopy(dataDir, code)];
  const outboxKey = deriveKeys(Buffer.from(database.secret, "utf8")).outbox;
  const tables = await storeRows<{ name: string }>(
    dataDir,
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  const hits: string[] = [];
  for (const { name } of tables) {
    const rows = await storeRows<{ row: string }>(dataDir, `SELECT t::text AS row FROM ${name} t`);
    const text = rows.map((r) => r.row).join("\n");
    if (text.includes(code) || text.includes(Buffer.from(code).toString("base64")) || holdsSealedCopy(outboxKey, text, code))
      hits.push(name);
  }
  return hits;
}
