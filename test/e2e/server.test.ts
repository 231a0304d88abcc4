import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import https from "node:https";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUserClient } from "../helpers/clients.js";
import { failure, humanUser, ok } from "../helpers/fixtures.js";
import { filesContaining } from "../helpers/scan.js";
import { ROOT, runCli, startServer, tempDataDir, untilOutput, type TestServer } from "../helpers/server.js";

const CONFIGURED_ADMIN_TOKEN = "configured-admin-token-0123456789-abcdefghijklmnopqrstuvwxyz";

function healthClient(address: string, credentials = grpc.credentials.createInsecure()): any {
  const definition = protoLoader.loadSync("grpc/health/v1/health.proto", { includeDirs: [join(ROOT, "proto")], enums: String });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  return new pkg.grpc.health.v1.Health(address, credentials);
}

function healthCheck(client: any, service: string): Promise<{ status?: string; code?: number }> {
  return new Promise((resolve) =>
    client.Check({ service }, (error: grpc.ServiceError | null, res: { status: string }) => resolve(error ? { code: error.code } : res)),
  );
}

describe("health, CORS and protocols on one port", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { LATCHKEY_CORS_ORIGINS: "https://app.example.com,http://localhost:3000" } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("answers /healthz over HTTP/1.1", async () => {
    const res = await fetch(`${server.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "SERVING" });
    expect((await fetch(`${server.baseUrl}/nothing-here`)).status).toBe(404);
  });

  it("answers grpc.health.v1.Health/Check over gRPC", async () => {
    const client = healthClient(`127.0.0.1:${server.port}`);
    try {
      expect(await healthCheck(client, "")).toEqual({ status: "SERVING" });
      expect(await healthCheck(client, "zitadel.user.v2.UserService")).toEqual({ status: "SERVING" });
      expect(await healthCheck(client, "no.such.Service")).toEqual({ code: grpc.status.NOT_FOUND });
    } finally {
      client.close();
    }
  });

  it("answers a preflight from an allowed origin with what gRPC-web needs", async () => {
    const res = await fetch(`${server.baseUrl}/zitadel.user.v2.UserService/GetUserByID`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-grpc-web,authorization",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
    for (const h of ["content-type", "x-grpc-web", "authorization", "connect-protocol-version"]) expect(allowed).toContain(h);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("exposes the gRPC-web status headers to allowed origins on real calls", async () => {
    const res = await fetch(`${server.baseUrl}/zitadel.user.v2.UserService/GetUserByID`, {
      method: "POST",
      headers: { origin: "http://localhost:3000", "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: new Uint8Array([0, 0, 0, 0, 0]),
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(res.headers.get("access-control-expose-headers")!.toLowerCase()).toContain("grpc-status");
    await res.arrayBuffer();
  });

  it("gives other origins no CORS headers", async () => {
    const preflight = await fetch(`${server.baseUrl}/zitadel.user.v2.UserService/GetUserByID`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const call = await fetch(`${server.baseUrl}/healthz`, { headers: { origin: "https://evil.example.com" } });
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("graceful shutdown", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("finishes the call in flight on %s, closes the database and exits 0", async (signal) => {
    // Cost 13 makes the call slow enough to be in flight when the signal arrives.
    const server = await startServer({ env: { LATCHKEY_LOG_LEVEL: "debug", LATCHKEY_BCRYPT_COST: "13" } });
    const client = createUserClient("grpc", server.baseUrl);
    try {
      const pending = client.call("AddHumanUser", humanUser(), server.adminToken);
      await untilOutput(server, '"msg":"call started"');
      const exited = server.stop(signal);
      const result = await pending;
      expect(ok(result).userId).toMatch(/^\d+$/);
      expect(await exited).toBe(0);
      expect(server.output()).toContain('"msg":"stopped"');
      const after = await fetch(`${server.baseUrl}/healthz`).catch((e: Error) => e);
      expect(after).toBeInstanceOf(Error);
    } finally {
      client.close();
    }
  });
});

describe("configuration", () => {
  const invalid: Array<[string, Record<string, string>, string[]]> = [
    ["a non-numeric port", { LATCHKEY_PORT: "http" }, []],
    ["a bcrypt cost below 4", { LATCHKEY_BCRYPT_COST: "3" }, []],
    ["a bcrypt cost above 31", {}, ["--bcrypt-cost", "32"]],
    ["a bad duration", { LATCHKEY_CODE_TTL: "soon" }, []],
    ["an unknown flag", {}, ["--colour", "red"]],
    ["a short server secret", { LATCHKEY_SECRET: "hunter2" }, []],
    ["a repetitive server secret", { LATCHKEY_SECRET: "ab".repeat(30) }, []],
    ["a short admin token", { LATCHKEY_ADMIN_TOKEN: "admin" }, []],
    ["a secret given as a flag", {}, ["--secret", "x".repeat(50)]],
    ["an admin token given as a flag", {}, ["--admin-token=" + "Q9".repeat(30)]],
    ["a secret file that cannot be read", { LATCHKEY_SECRET_FILE: "/no/such/file" }, []],
  ];
  it.each(invalid)("stops on %s with one line naming the setting", async (_name, env, args) => {
    const result = await runCli(args, { LATCHKEY_DATA_DIR: tempDataDir(), ...env });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const setting = Object.keys(env)[0] ?? args[0]!.split("=")[0]!;
    expect(lines[0]).toContain(setting);
    expect(lines[0]).toMatch(/^latchkey: invalid configuration: /);
  });

  it("stops when the data dir cannot be written", async () => {
    const file = join(tempDataDir(), "a-file");
    writeFileSync(file, "");
    const result = await runCli([], { LATCHKEY_DATA_DIR: join(file, "data") });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^latchkey: invalid configuration: LATCHKEY_DATA_DIR .*a-file\/data$/);
  });

  it("prints every setting with --help", async () => {
    const result = await runCli(["--help"], {});
    expect(result.code).toBe(0);
    for (const name of [
      "LATCHKEY_PORT",
      "--port",
      "LATCHKEY_DATA_DIR",
      "LATCHKEY_BCRYPT_COST",
      "LATCHKEY_CODE_TTL",
      "LATCHKEY_CORS_ORIGINS",
    ]) {
      expect(result.stdout).toContain(name);
    }
  });

  it("names a bad flag as given, with its variable", async () => {
    const flagged = await runCli(["--port=abc", "--data-dir", tempDataDir()], {});
    expect(flagged.code).toBe(2);
    expect(flagged.stderr.trim()).toBe('latchkey: invalid configuration: --port (LATCHKEY_PORT) must be a whole number, got "abc"');
  });

  it("says how to give a secret instead of taking it as a flag", async () => {
    const result = await runCli(["--secret", "x".repeat(50)], { LATCHKEY_DATA_DIR: tempDataDir() });
    expect(result.stderr.trim()).toBe(
      "latchkey: invalid configuration: --secret is a secret and is not taken as a flag, which other local users can read: set LATCHKEY_SECRET or LATCHKEY_SECRET_FILE",
    );
    const short = await runCli([], { LATCHKEY_DATA_DIR: tempDataDir(), LATCHKEY_SECRET: "hunter2" });
    expect(short.stderr.trim()).toBe(
      "latchkey: invalid configuration: LATCHKEY_SECRET must be at least 43 characters of random text, such as 32 random bytes in base64 (openssl rand -base64 32)",
    );
  });

  it("reads the admin token and the server secret from files", async () => {
    const dir = tempDataDir();
    writeFileSync(join(dir, "token"), CONFIGURED_ADMIN_TOKEN + "\n", { mode: 0o600 });
    writeFileSync(join(dir, "secret-file"), randomBytes(32).toString("base64") + "\n", { mode: 0o600 });
    const server = await startServer({
      adminToken: null,
      env: { LATCHKEY_ADMIN_TOKEN_FILE: join(dir, "token"), LATCHKEY_SECRET_FILE: join(dir, "secret-file") },
    });
    try {
      ok(await createUserClient("connect-json", server.baseUrl).call("AddHumanUser", humanUser(), CONFIGURED_ADMIN_TOKEN));
    } finally {
      await server.stop();
    }
  });

  it("lets a flag override the environment", async () => {
    const result = await runCli(["--bcrypt-cost", "99"], { LATCHKEY_BCRYPT_COST: "10", LATCHKEY_DATA_DIR: tempDataDir() });
    expect(result.stderr).toContain("--bcrypt-cost (LATCHKEY_BCRYPT_COST) must be between 4 and 31, got 99");
  });
});

describe("the bootstrap admin token", () => {
  it("is generated on a fresh data dir, printed once, stored only as a digest, and works after a restart", async () => {
    const dataDir = tempDataDir();
    const first = await startServer({ dataDir, adminToken: null });
    const match = /Generated bootstrap admin token[^\n]*\n\s+(\S+)/.exec(first.output());
    expect(match).not.toBeNull();
    const token = match![1]!;
    const client = createUserClient("connect-json", first.baseUrl);
    ok(await client.call("AddHumanUser", humanUser(), token));
    failure(await client.call("AddHumanUser", humanUser(), token.slice(0, -1)), "unauthenticated");
    expect(await first.stop()).toBe(0);
    expect(filesContaining(dataDir, token)).toEqual([]);

    const second = await startServer({ dataDir, adminToken: null });
    try {
      expect(second.output()).not.toContain("Generated bootstrap admin token");
      const again = createUserClient("connect-json", second.baseUrl);
      ok(await again.call("AddHumanUser", humanUser(), token));
    } finally {
      await second.stop();
    }
  });

  it("is replaced by a configured one, which then stays after a start without configuration", async () => {
    const dataDir = tempDataDir();
    const generated = await startServer({ dataDir, adminToken: null });
    const old = /Generated bootstrap admin token[^\n]*\n\s+(\S+)/.exec(generated.output())![1]!;
    await generated.stop();
    const configured = await startServer({ dataDir, adminToken: CONFIGURED_ADMIN_TOKEN });
    const client = createUserClient("connect-json", configured.baseUrl);
    failure(await client.call("AddHumanUser", humanUser(), old), "unauthenticated");
    ok(await client.call("AddHumanUser", humanUser(), CONFIGURED_ADMIN_TOKEN));
    await configured.stop();
    const unconfigured = await startServer({ dataDir, adminToken: null });
    try {
      expect(unconfigured.output()).not.toContain("Generated bootstrap admin token");
      ok(await createUserClient("connect-json", unconfigured.baseUrl).call("AddHumanUser", humanUser(), CONFIGURED_ADMIN_TOKEN));
    } finally {
      await unconfigured.stop();
    }
  });

  it("keeps the data dir private: the secret and the database are mode 0600", async () => {
    const dataDir = join(tempDataDir(), "fresh");
    const server = await startServer({ dataDir });
    await server.stop();
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(["secret", "latchkey.db"]));
    for (const file of readdirSync(dataDir)) expect(statSync(join(dataDir, file)).mode & 0o777, file).toBe(0o600);
  });
});

describe("TLS", () => {
  it("serves gRPC over HTTP/2 and Connect over HTTP/1.1 on one TLS port, chosen by ALPN", async () => {
    const dir = tempDataDir();
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    const server = await startServer({ env: { LATCHKEY_TLS_CERT: cert, LATCHKEY_TLS_KEY: key } });
    const ca = execFileSync("cat", [cert]);
    const health = healthClient(`127.0.0.1:${server.port}`, grpc.credentials.createSsl(ca));
    try {
      expect(await healthCheck(health, "")).toEqual({ status: "SERVING" });
      const body = await new Promise<{ status: number; alpn: string | false | null; text: string }>((resolve, reject) => {
        const req = https.request(
          `${server.baseUrl}/zitadel.user.v2.UserService/GetUserByID`,
          {
            method: "POST",
            agent: new https.Agent({ ca, ALPNProtocols: ["http/1.1"] }),
            headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
          },
          (res) => {
            const alpn = (res.socket as import("node:tls").TLSSocket).alpnProtocol;
            let text = "";
            res.on("data", (d: Buffer) => (text += d));
            res.on("end", () => resolve({ status: res.statusCode!, alpn, text }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ userId: "nobody" }));
      });
      expect(body.alpn).toBe("http/1.1");
      expect(body.status).toBe(404);
      expect(JSON.parse(body.text).code).toBe("not_found");
    } finally {
      health.close();
      await server.stop();
    }
  });
});
