import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { AuditService } from "../../gen/latchkey/audit/v1/audit_service_pb.js";
import { createRpcClient, createUserClient, PROTOCOLS } from "../helpers/clients.js";
import { apiTokenDigest } from "../../src/app/shared/digests.js";
import { deriveKeys } from "../../src/crypto/keys.js";
import { loadServerSecret } from "../../src/crypto/server-secret.js";
import { changeStore, storeRows } from "../helpers/database.js";
import { failure, ok } from "../helpers/fixtures.js";
import { databaseFor, projectBackend, shareDatabase } from "../helpers/postgres.js";
import { runCli, startServer, storeEnv, tempDataDir, type TestServer } from "../helpers/server.js";

interface Listed {
  tokenId: string;
  name: string;
  permissions: string[];
  status: string;
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}

/** One server, and on PostgreSQL a second replica on the same database: both must refuse at once. */
let servers: TestServer[];
let cliEnv: Record<string, string>;
beforeAll(async () => {
  const dataDir = tempDataDir();
  servers = [await startServer({ dataDir })];
  if (projectBackend() === "postgres") {
    const replicaDir = tempDataDir();
    shareDatabase(replicaDir, await databaseFor(dataDir));
    servers.push(await startServer({ dataDir: replicaDir, adminToken: servers[0]!.adminToken }));
  }
  cliEnv = await storeEnv(dataDir);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function cli(...args: string[]): Promise<string> {
  const result = await runCli(["token", ...args], cliEnv);
  if (result.code !== 0) throw new Error(`token ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

async function create(name: string, ...extra: string[]): Promise<{ tokenId: string; token: string }> {
  const out = await cli("create", "--name", name, "--permissions", "user.read,events.read", ...extra);
  const [, tokenId] = /Created API token (\S+) /.exec(out)!;
  return { tokenId: tokenId!, token: out.trim().split("\n").at(-1)! };
}

const list = async (): Promise<Listed[]> => JSON.parse(await cli("list", "--json")) as Listed[];

/** What a call with this bearer token gets from ListUsers on each server and protocol. */
async function answers(token: string): Promise<unknown[]> {
  const results = [];
  for (const server of servers) {
    for (const protocol of PROTOCOLS) {
      const users = createUserClient(protocol, server.baseUrl);
      results.push(await users.call("ListUsers", {}, token));
      users.close();
    }
  }
  return results;
}

async function auditOf(tokenId: string): Promise<{ type: string; creator: string }[]> {
  const audit = createRpcClient<"ListEvents">("connect-json", servers[0]!.baseUrl, AuditService);
  try {
    const { events } = ok(await audit.call("ListEvents", { aggregateId: tokenId }, servers[0]!.adminToken));
    return events.map((e: any) => ({ type: e.type, creator: e.creator }));
  } finally {
    audit.close();
  }
}

describe("API tokens managed from the command line", () => {
  it("lists tokens with their use and expiry, never the token; a revoked token is refused at once, as an unknown one", async () => {
    const before = Date.now();
    const { tokenId, token } = await create("backend", "--expires", "90d");
    for (const answer of await answers(token)) ok(answer as never);

    let listed!: Listed;
    await eventually(async () => {
      listed = (await list()).find((t) => t.tokenId === tokenId)!;
      expect(listed.lastUsedAt).not.toBeNull(); // written after the answer
    });
    expect(listed).toMatchObject({ name: "backend", permissions: ["user.read", "events.read"], status: "active" });
    expect(listed.expiresAt! - listed.createdAt).toBe(90 * 86_400_000);
    expect(listed.createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(listed.lastUsedAt).toBeGreaterThanOrEqual(listed.createdAt);
    const table = await cli("list");
    expect(table).toMatch(/^ID +NAME +STATUS +PERMISSIONS +CREATED +LAST USED +EXPIRES/);
    expect(table).toMatch(new RegExp(`${tokenId} +backend +active +user.read,events.read `));
    expect(table + JSON.stringify(await list())).not.toContain(token);
    expect(JSON.stringify(await storeRows(cliEnv.LATCHKEY_DATA_DIR!, `SELECT * FROM api_tokens`))).not.toContain(token);

    expect(await cli("revoke", "backend")).toContain(`Revoked API token ${tokenId} (backend)`);
    const refused = await answers(token);
    const unknown = await answers("x".repeat(token.length));
    for (const [i, answer] of refused.entries()) {
      expect(failure(answer as never, "unauthenticated")).toEqual(failure(unknown[i] as never, "unauthenticated"));
    }
    expect((await list()).find((t) => t.tokenId === tokenId)!.status).toBe("revoked");
    expect(await auditOf(tokenId)).toEqual([
      { type: "api_token.added", creator: "cli" },
      { type: "api_token.revoked", creator: "cli" },
    ]);
  });

  it("refuses an expired token, and records its expiry in the audit trail", async () => {
    const { tokenId, token } = await create("short-lived", "--expires", "3s");
    const expiresAt = (await list()).find((t) => t.tokenId === tokenId)!.expiresAt!;
    // The token's own lifetime is what is tested here: wait it out.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt + 1 - Date.now())));
    for (const answer of await answers(token)) failure(answer as never, "unauthenticated");
    expect((await list()).find((t) => t.tokenId === tokenId)!.status).toBe("expired");
    await eventually(async () =>
      expect(await auditOf(tokenId)).toEqual([
        { type: "api_token.added", creator: "cli" },
        { type: "api_token.expired", creator: "system" },
      ]),
    );
  });

  it("revokes by id, refuses a name two active tokens share, and says so for a token it does not know", async () => {
    const first = await create("twin");
    await create("twin");
    const ambiguous = await runCli(["token", "revoke", "twin"], cliEnv);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`2 active tokens have that name, revoke one by its id`);
    expect(await cli("revoke", first.tokenId)).toContain(`Revoked API token ${first.tokenId}`);
    failure((await answers(first.token))[0] as never, "unauthenticated");
    const missing = await runCli(["token", "revoke", "no-such-token"], cliEnv);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining(`no API token has the id or name "no-such-token"`) });
    const bad = await runCli(["token", "create", "--permissions", "user.read", "--expires", "soon"], cliEnv);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("--expires must be a duration") });
  });
});

describe("API tokens from before they were event-sourced", () => {
  it("get their added event at the next start, and keep working through the projections' rebuild", async () => {
    const dataDir = tempDataDir();
    let server = await startServer({ dataDir });
    await server.stop();
    // As the previous release left it: a token row with no event behind it, and projections of version 5.
    const env = await storeEnv(dataDir);
    const keys = deriveKeys(loadServerSecret(dataDir, env.LATCHKEY_SECRET));
    const token = randomBytes(32).toString("base64url");
    await changeStore(dataDir, `INSERT INTO api_tokens (token_id, digest, name, permissions, created_at) VALUES (?, ?, ?, ?, ?)`, [
      "token-legacy",
      apiTokenDigest(keys, token),
      "old",
      JSON.stringify(["user.read"]),
      Date.now(),
    ]);
    await changeStore(dataDir, `UPDATE settings SET value = '5' WHERE key = 'projection_version'`);

    server = await startServer({ dataDir, adminToken: server.adminToken });
    try {
      const users = createUserClient("grpc", server.baseUrl);
      ok(await users.call("ListUsers", {}, token));
      ok(await users.call("ListUsers", {}, server.adminToken));
      users.close();
      const events = await storeRows<{ event_type: string; creator: string }>(
        dataDir,
        `SELECT event_type, creator FROM events WHERE aggregate_id = ? ORDER BY position`,
        ["token-legacy"],
      );
      expect(events).toEqual([{ event_type: "api_token.added", creator: "system" }]);
    } finally {
      await server.stop();
    }
  });
});

describe("the bootstrap admin token", () => {
  it("can be revoked, stays revoked across restarts with the same token, and a new LATCHKEY_ADMIN_TOKEN re-issues it", async () => {
    const dataDir = tempDataDir();
    let server = await startServer({ dataDir });
    const env = await storeEnv(dataDir);
    const listUsers = async (token: string) => {
      const users = createUserClient("connect-json", server.baseUrl);
      const result = await users.call("ListUsers", {}, token);
      users.close();
      return result;
    };
    ok(await listUsers(server.adminToken));
    expect((await runCli(["token", "revoke", "bootstrap-admin"], env)).code).toBe(0);
    failure(await listUsers(server.adminToken), "unauthenticated");
    await server.stop();

    server = await startServer({ dataDir, adminToken: server.adminToken });
    failure(await listUsers(server.adminToken), "unauthenticated");
    await server.stop();

    server = await startServer({ dataDir });
    try {
      ok(await listUsers(server.adminToken));
      const events = await storeRows<{ event_type: string }>(
        dataDir,
        `SELECT event_type FROM events WHERE aggregate_id = ? ORDER BY position`,
        ["bootstrap-admin"],
      );
      expect(events.map((e) => e.event_type)).toEqual(["api_token.added", "api_token.revoked", "api_token.reissued"]);
    } finally {
      await server.stop();
    }
  });
});
