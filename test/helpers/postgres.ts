import { randomBytes } from "node:crypto";
import pg from "pg";

export type Backend = "sqlite" | "postgres";
export const BACKENDS: readonly Backend[] = ["sqlite", "postgres"];

/**
 * The backend of this vitest project (vitest.config.ts sets LATCHKEY_TEST_BACKEND): the
 * end-to-end suites that write run once on each.
 */
export function projectBackend(): Backend {
  return process.env.LATCHKEY_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";
}

/** The run's PostgreSQL server: LATCHKEY_TEST_DATABASE_URL, or the one test/setup/postgres.ts started. */
async function adminUrl(): Promise<string> {
  const configured = process.env.LATCHKEY_TEST_DATABASE_URL;
  if (configured) return configured;
  const { inject } = await import("vitest");
  const provided = inject("postgresAdminUrl");
  if (!provided) throw new Error("no test PostgreSQL: the vitest global setup test/setup/postgres.ts did not run");
  return provided;
}

/** A new, empty database on the run's PostgreSQL server (or the one `adminUrl` names): its URL. */
export async function freshDatabase(admin?: string): Promise<string> {
  admin ??= await adminUrl();
  const name = `latchkey_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(`the test PostgreSQL at ${redact(admin)} cannot be used: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

const redact = (url: string): string => url.replace(/:[^:@/]*@/, ":***@");

const databases = new Map<string, Promise<{ url: string; secret: string }>>();

/**
 * The PostgreSQL database and secret that stand for a data dir: a server started again on the
 * same data dir finds the same database, as a SQLite one finds its file.
 */
export function databaseFor(dataDir: string): Promise<{ url: string; secret: string }> {
  let entry = databases.get(dataDir);
  if (entry === undefined) {
    entry = freshDatabase().then((url) => ({ url, secret: randomBytes(32).toString("base64url") }));
    databases.set(dataDir, entry);
  }
  return entry;
}

/** The PostgreSQL database (and secret) a data dir stands for, or null when its server ran on SQLite. */
export async function postgresOf(dataDir: string): Promise<{ url: string; secret: string } | null> {
  return (await databases.get(dataDir)) ?? null;
}

/** Lets another data dir stand for the same database: replicas share one, each with a data dir of its own. */
export function shareDatabase(dataDir: string, database: { url: string; secret: string }): void {
  databases.set(dataDir, Promise.resolve(database));
}
