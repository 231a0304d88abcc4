import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { createRpcClient, createUserClient, type Protocol } from "../helpers/clients.js";
import { failure, humanUser, ok, STRONG_PASSWORD, unique } from "../helpers/fixtures.js";
import { projectBackend } from "../helpers/postgres.js";
import { storeRows } from "../helpers/database.js";
import { startServer, tempDataDir, untilOutput, type TestServer } from "../helpers/server.js";

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** Prometheus's text format, sample by sample. */
function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels: Labels = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include these. */
function valueOf(samples: Sample[], name: string, labels: Labels = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** A webhook for SMS: one number always fails, another is held until released. */
async function startSmsWebhook() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let heldArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
  const server = createServer((req, res: ServerResponse) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      const { to } = JSON.parse(body) as { to: string };
      if (to === FAILING_PHONE) return res.writeHead(500).end();
      heldArrived();
      void held.then(() => res.writeHead(200).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`,
    arrived,
    release,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FAILING_PHONE = "+41790000001";
const HELD_PHONE = "+41790000002";

let server: TestServer;
let metricsUrl: string;
let webhook: Awaited<ReturnType<typeof startSmsWebhook>>;
beforeAll(async () => {
  webhook = await startSmsWebhook();
  server = await startServer({
    env: {
      LATCHKEY_METRICS_ADDR: "127.0.0.1:0",
      LATCHKEY_MAIL_DIR: tempDataDir(),
      LATCHKEY_SMS_WEBHOOK_URL: webhook.url,
      LATCHKEY_OUTBOX_MAX_ATTEMPTS: "2",
      LATCHKEY_OUTBOX_RETRY_BASE: "20ms",
      LATCHKEY_OUTBOX_RETRY_MAX: "50ms",
      LATCHKEY_RATE_LIMIT_PER_USER: "3",
      LATCHKEY_MAX_PASSWORD_ATTEMPTS: "2",
    },
  });
  const line = server
    .output()
    .split("\n")
    .find((l) => l.includes('"msg":"metrics listening"'))!;
  metricsUrl = `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}/metrics`;
});
afterAll(async () => {
  webhook.release();
  await server.stop();
  await webhook.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, samples: parse(text) };
}

async function addUser(extra: Record<string, unknown> = {}): Promise<{ userId: string; username: string }> {
  const request = humanUser(extra);
  const users = createUserClient("connect-json", server.baseUrl);
  const userId = ok(await users.call("AddHumanUser", request, server.adminToken)).userId as string;
  users.close();
  return { userId, username: request.username as string };
}

describe("Prometheus metrics on their own listener", () => {
  it("are not on the public port", async () => {
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl.replace("/metrics", "/other"))).status).toBe(404);
  });

  it("move as real calls are made, with bounded labels only", async () => {
    const before = (await scrape()).samples;
    const delta = (after: Sample[], name: string, labels: Labels = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

    // Calls over each protocol, and over a REST path.
    const user = await addUser();
    for (const protocol of ["grpc", "grpc-web", "connect-json"] as Protocol[]) {
      const users = createUserClient(protocol, server.baseUrl);
      ok(await users.call("GetUserByID", { userId: user.userId }, server.adminToken));
      users.close();
    }
    const rest = await fetch(`${server.baseUrl}/v2/users/${user.userId}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(rest.status).toBe(200);

    // Two wrong passwords lock the user; another logs in.
    const sessions = createRpcClient<"CreateSession">("grpc", server.baseUrl, SessionService);
    const login = (userId: string, password: string) =>
      sessions.call("CreateSession", { checks: { user: { userId }, password: { password } } });
    failure(await login(user.userId, "Wrong-Passw0rd!"), "invalid_argument");
    failure(await login(user.userId, "Wrong-Passw0rd!"), "invalid_argument");
    const other = await addUser();
    ok(await login(other.userId, STRONG_PASSWORD));
    sessions.close();

    // Four public resets aimed at one name: the fourth is over the per-target limit of 3.
    const resets = createRpcClient<"RequestPasswordReset">("connect-json", server.baseUrl, PasswordService);
    const target = unique("nobody");
    for (let i = 0; i < 3; i++) ok(await resets.call("RequestPasswordReset", { loginName: target }));
    failure(await resets.call("RequestPasswordReset", { loginName: target }), "resource_exhausted");

    // Messages: an e-mail sent, an SMS that fails twice (retried, then failed for good).
    const users = createUserClient("connect-json", server.baseUrl);
    const sendLink = (userId: string, link: Record<string, string> = {}) =>
      users.call("PasswordReset", { userId, sendLink: link }, server.adminToken);
    const bySms = { notificationType: "NOTIFICATION_TYPE_SMS" };
    ok(await sendLink(other.userId));
    ok(await sendLink((await addUser({ phone: { phone: FAILING_PHONE } })).userId, bySms));
    await eventually(async () => {
      const { samples } = await scrape();
      expect(delta(samples, "latchkey_outbox_messages_total", { channel: "sms", outcome: "failed" })).toBe(1);
      expect(delta(samples, "latchkey_outbox_messages_total", { channel: "email", outcome: "sent" })).toBe(1);
    });
    // One more, held by the webhook while in delivery: still pending.
    ok(await sendLink((await addUser({ phone: { phone: HELD_PHONE } })).userId, bySms));
    users.close();
    await webhook.arrived;
    const { samples: after, text } = await scrape();
    expect(valueOf(after, "latchkey_outbox_pending", { channel: "sms" })).toBe(1);
    expect(delta(after, "latchkey_outbox_messages_total", { channel: "sms", outcome: "retried" })).toBe(1);
    webhook.release();

    const calls = (procedure: string, protocol: string, code = "ok") =>
      delta(after, "latchkey_rpc_calls_total", { procedure: `zitadel.user.v2.UserService/${procedure}`, protocol, code });
    for (const protocol of ["grpc", "grpc-web", "connect", "rest"]) expect(calls("GetUserByID", protocol)).toBe(1);
    expect(calls("AddHumanUser", "connect")).toBe(4);
    expect(calls("PasswordReset", "connect")).toBe(3);
    expect(
      delta(after, "latchkey_rpc_calls_total", { procedure: "zitadel.session.v2.SessionService/CreateSession", code: "invalid_argument" }),
    ).toBe(2);
    expect(
      delta(after, "latchkey_rpc_calls_total", {
        procedure: "latchkey.password.v1.PasswordService/RequestPasswordReset",
        code: "resource_exhausted",
      }),
    ).toBe(1);
    expect(
      delta(after, "latchkey_rpc_duration_seconds_count", { procedure: "zitadel.user.v2.UserService/GetUserByID", protocol: "grpc" }),
    ).toBe(1);

    expect(delta(after, "latchkey_password_checks_total", { result: "failed" })).toBe(2);
    expect(delta(after, "latchkey_password_checks_total", { result: "matched" })).toBe(1);
    expect(delta(after, "latchkey_lockouts_total", { reason: "too_many_password_attempts" })).toBe(1);
    expect(delta(after, "latchkey_rate_limited_calls_total", { limit: "target" })).toBe(1);
    // Four new passwords hashed; three logins compared.
    expect(delta(after, "latchkey_hash_job_duration_seconds_count", { kind: "hash" })).toBeGreaterThanOrEqual(4);
    expect(delta(after, "latchkey_hash_job_duration_seconds_count", { kind: "compare" })).toBeGreaterThanOrEqual(3);
    expect(valueOf(after, "latchkey_hash_jobs_queued")).toBe(0);
    expect(valueOf(after, "latchkey_hash_jobs_running")).toBe(0);
    if (projectBackend() === "sqlite") {
      expect(delta(after, "latchkey_store_commit_writes_count")).toBeGreaterThanOrEqual(1);
      expect(delta(after, "latchkey_store_commit_writes_sum")).toBeGreaterThanOrEqual(10);
      expect(delta(after, "latchkey_store_commit_duration_seconds_count")).toBe(delta(after, "latchkey_store_commit_writes_count"));
    } else {
      const pool = after.filter((s) => s.name === "latchkey_store_pool_connections");
      expect(pool.map((s) => s.labels.state).sort()).toEqual(["idle", "total", "waiting"]);
      expect(valueOf(pool, "latchkey_store_pool_connections", { state: "total" })).toBeGreaterThanOrEqual(1);
    }
    expect(valueOf(after, "nodejs_eventloop_lag_seconds")).toBeGreaterThan(0);
    expect(valueOf(after, "process_cpu_user_seconds_total")).toBeGreaterThan(0);

    // No label names a user, a login name or an address.
    for (const secretish of [user.userId, user.username, other.userId, target, FAILING_PHONE, "127.0.0.1"])
      expect(text).not.toContain(secretish);
  });

  it("move alike for a real name and an unknown one, whatever an anonymous caller sets off", async () => {
    const sessions = createRpcClient<"CreateSession">("grpc", server.baseUrl, SessionService);
    const resets = createRpcClient<"RequestPasswordReset">("connect-json", server.baseUrl, PasswordService);
    const WATCHED = [
      "latchkey_lockouts_total",
      "latchkey_outbox_messages_total",
      "latchkey_outbox_pending",
      "latchkey_password_checks_total",
    ];
    const watched = (samples: Sample[]) =>
      new Map(samples.filter((s) => WATCHED.includes(s.name)).map((s) => [`${s.name}${JSON.stringify(s.labels)}`, s.value]));
    const HANDLED = '"msg":"public password reset request handled"';
    const pending = async () =>
      (await storeRows<{ n: number }>(server.dataDir, `SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`))[0]!.n;
    /** What two wrong logins (a lockout) and a forgot-password request for this name move. */
    const moved = async (loginName: string) => {
      await eventually(async () => expect(await pending()).toBe(0));
      const before = watched((await scrape()).samples);
      const handled = server.output().split(HANDLED).length - 1;
      for (let i = 0; i < 2; i++)
        failure(
          await sessions.call("CreateSession", { checks: { user: { loginName }, password: { password: "Wrong-Passw0rd!" } } }),
          "invalid_argument",
        );
      ok(await resets.call("RequestPasswordReset", { loginName }));
      await untilOutput(server, HANDLED, handled + 1);
      await eventually(async () => expect(await pending()).toBe(0));
      const after = watched((await scrape()).samples);
      return Object.fromEntries([...after].map(([key, value]) => [key, value - (before.get(key) ?? 0)]).filter(([, delta]) => delta !== 0));
    };
    const real = await addUser();
    const forReal = await moved(real.username);
    expect(forReal).toEqual(await moved(unique("nobody")));
    expect(forReal).toMatchObject({ 'latchkey_lockouts_total{"reason":"too_many_password_attempts"}': 1 });
    sessions.close();
    resets.close();
  });

  it("refuses an address it cannot listen on, naming the setting", async () => {
    await expect(startServer({ env: { LATCHKEY_METRICS_ADDR: "9464" } })).rejects.toThrow(/LATCHKEY_METRICS_ADDR must be host:port/);
  });
});
