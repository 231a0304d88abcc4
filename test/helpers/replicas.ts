import { randomBytes } from "node:crypto";
import { databaseFor, shareDatabase } from "./postgres.js";
import { startServer, tempDataDir, type TestServer } from "./server.js";

export interface Replicas {
  servers: TestServer[];
  database: { url: string; secret: string };
  adminToken: string;
  /** Starts one more replica on the same database. */
  add(env?: Record<string, string>): Promise<TestServer>;
  stop(): Promise<void>;
}

/**
 * `count` processes of `npm start`'s build on one new PostgreSQL database, started at the same
 * moment, with the same secret and admin token, as an operator would run them behind a load balancer.
 */
export async function startReplicas(
  count: number,
  env: Record<string, string> = {},
  database?: { url: string; secret: string },
): Promise<Replicas> {
  database ??= await databaseFor(tempDataDir());
  const adminToken = randomBytes(32).toString("base64url");
  const started: TestServer[] = [];
  const add = async (extra: Record<string, string> = {}) => {
    const dataDir = tempDataDir();
    shareDatabase(dataDir, database);
    const server = await startServer({ built: true, backend: "postgres", dataDir, adminToken, env: { ...env, ...extra } });
    started.push(server);
    return server;
  };
  const servers = await Promise.all(Array.from({ length: count }, () => add()));
  return {
    servers,
    database,
    adminToken,
    add,
    stop: async () => {
      await Promise.all(started.map((s) => s.stop("SIGKILL")));
    },
  };
}
