import { create, toBinary } from "@bufbuild/protobuf";
import { readFileSync } from "node:fs";
import http2 from "node:http2";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { ImportUsersRequestSchema } from "../gen/latchkey/user/v1/user_import_service_pb.js";
import { CreateSessionRequestSchema } from "../gen/zitadel/session/v2/session_service_pb.js";
import { AddHumanUserRequestSchema, SetPasswordRequestSchema } from "../gen/zitadel/user/v2/user_service_pb.js";
import { createUserClient } from "../test/helpers/clients.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startServer, type TestServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const INPUTS = pick(600, 20_000);
const PATHS = [
  "/zitadel.user.v2.UserService/AddHumanUser",
  "/zitadel.user.v2.UserService/SetPassword",
  "/zitadel.user.v2.UserService/GetUserByID",
  "/zitadel.user.v2.UserService/PasswordReset",
  "/zitadel.session.v2.SessionService/CreateSession",
  "/latchkey.password.v1.PasswordService/RequestPasswordReset",
  "/latchkey.user.v1.UserImportService/ImportUsers",
  "/zitadel.user.v2.UserService/NoSuchMethod",
  "/no.such.Service/Method",
];

const random = (n: number) => Math.floor(Math.random() * n);
const pickOne = <T>(items: readonly T[]): T => items[random(items.length)]!;
const randomBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => random(256)));

/** Valid messages, encoded: the seeds mutations start from. */
const SEEDS = [
  toBinary(
    AddHumanUserRequestSchema,
    create(AddHumanUserRequestSchema, {
      username: "fuzz",
      email: { email: "f@example.com" },
      profile: { givenName: "F", familyName: "Z" },
    }),
  ),
  toBinary(
    SetPasswordRequestSchema,
    create(SetPasswordRequestSchema, {
      userId: "1",
      newPassword: { password: "Fuzz-Passw0rd!" },
      verification: { case: "verificationCode", value: "ACDEFGHJKM" },
    }),
  ),
  toBinary(
    ImportUsersRequestSchema,
    create(ImportUsersRequestSchema, {
      users: [
        { username: "fuzz-import", email: { email: "fi@example.com" }, profile: { givenName: "F", familyName: "I" } },
        { username: "fuzz-hash", email: { email: "fh@example.com" }, passwordType: { case: "hashedPassword", value: { hash: "$1$abc$" } } },
      ],
      locked: [1],
      dryRun: true,
    }),
  ),
  toBinary(
    CreateSessionRequestSchema,
    create(CreateSessionRequestSchema, { checks: { user: { search: { case: "loginName", value: "fuzz" } }, password: { password: "x" } } }),
  ),
];

function mutate(seed: Uint8Array): Buffer {
  const bytes = Buffer.from(seed);
  for (let i = 0, n = 1 + random(4); i < n && bytes.length > 0; i++) {
    const at = random(bytes.length);
    const op = random(3);
    if (op === 0) bytes[at] = random(256);
    else if (op === 1) return Buffer.concat([bytes.subarray(0, at), randomBytes(1 + random(8)), bytes.subarray(at)]);
    else return bytes.subarray(0, at);
  }
  return bytes;
}

function frame(message: Buffer, { flags = 0, declaredLength = message.length } = {}): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(declaredLength >>> 0, 1);
  return Buffer.concat([header, message]);
}

const MALFORMED_JSON = [
  '{"userId":',
  "[1,2",
  '{"userId": 12}',
  '{"userId": {"a": 1}}',
  '{"newPassword": "x"}',
  "null",
  '"str"',
  "{}}",
  '{"checks":{"user":{"userId":"1","loginName":"x"}}}',
  '{"lifetime":"-5s"}',
  '{"lifetime":"1e309s"}',
  '{"profile":{"gender":"GENDER_NOPE"}}',
  '{"profile":{"gender":99}}',
  '{"users":"x"}',
  '{"users":[{"username":7}]}',
  '{"users":[{}],"locked":[5]}',
  '{"users":[{}],"locked":[-1]}',
  '{"users":[null,{"hashedPassword":{"hash":"$argon2id$v=19$m=99999999,t=9,p=1$c2FsdA$aGFzaA"}}]}',
];

const ENCODINGS = ["gzip", "br", "deflate", "identity", "zstd", "GZIP"] as const;
const compress = (encoding: string, bytes: Uint8Array): Buffer =>
  encoding === "br" ? brotliCompressSync(bytes) : encoding === "deflate" ? deflateSync(bytes) : gzipSync(bytes);

/** Compressed bytes broken every way: truncated, cut short, bytes flipped, appended, or not compressed at all. */
function brokenCompressed(encoding: string, plain: Uint8Array): Buffer {
  const whole = compress(encoding, plain);
  return pickOne([
    () => whole.subarray(0, random(whole.length)),
    () => mutate(whole),
    () => Buffer.concat([whole, randomBytes(1 + random(16))]),
    () => Buffer.concat([whole, whole]),
    () => Buffer.from(plain),
    () => randomBytes(random(64)),
  ])();
}

/** One bad request over HTTP/1.1: Connect JSON, gRPC-web, or a wrong content type. */
async function http1Input(server: TestServer): Promise<number> {
  const kind = random(9);
  const path = pickOne(PATHS);
  let headers: Record<string, string> = { "content-type": "application/json" };
  let body: Buffer | string;
  switch (kind) {
    case 0:
      body = pickOne(MALFORMED_JSON);
      break;
    case 1:
      body = Buffer.concat([Buffer.from('{"userId":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]); // invalid UTF-8
      break;
    case 2:
      body = JSON.stringify({ userId: "x".repeat(300 * 1024) }); // above the read limit
      break;
    case 3:
      headers = { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" };
      body = pickOne([
        frame(mutate(pickOne(SEEDS))),
        frame(randomBytes(10), { declaredLength: 1 << 30 }),
        randomBytes(3),
        frame(Buffer.from(pickOne(SEEDS)), { flags: 1 }),
      ]);
      break;
    case 4:
      headers = { "content-type": pickOne(["text/plain", "application/xml", "application/proto", "multipart/form-data", ""]) };
      body = randomBytes(random(64));
      break;
    case 5:
      headers = { "content-type": "application/json", "x-huge": "h".repeat(64 * 1024) };
      body = "{}";
      break;
    case 7: {
      const encoding = pickOne(ENCODINGS);
      headers = { "content-type": "application/json", "content-encoding": encoding };
      body = brokenCompressed(encoding, Buffer.from(JSON.stringify({ userId: "1", loginName: "x" })));
      break;
    }
    case 8: {
      const encoding = pickOne(ENCODINGS);
      headers = { "content-type": "application/grpc-web+proto", "grpc-encoding": encoding };
      body = frame(brokenCompressed(encoding, pickOne(SEEDS)), { flags: 1 });
      break;
    }
    default:
      headers = { "content-type": "application/proto", "connect-protocol-version": "1" };
      body = mutate(pickOne(SEEDS));
  }
  // Import batches are for user.write: authenticated, so that the broken ones reach the import itself.
  if (path.includes("UserImportService")) headers = { ...headers, authorization: `Bearer ${server.adminToken}` };
  const res = await fetch(`${server.baseUrl}${path}`, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  expect(res.status, `${kind} ${path} → ${text.slice(0, 200)}`).not.toBe(500);
  if (res.headers.get("content-type")?.includes("json") && text.startsWith("{")) {
    const code = (JSON.parse(text) as { code?: string }).code;
    expect(code, `${kind} ${path}`).not.toBe("internal");
    expect(code).not.toBe("unknown");
  }
  const grpcStatus = res.headers.get("grpc-status") ?? /grpc-status:\s*(\d+)/.exec(text)?.[1];
  if (grpcStatus) expect(grpcStatus, `${kind} ${path}`).not.toMatch(/^(2|13)$/);
  return 1;
}

/** ZITADEL's REST paths and ours, with `{}` standing for a path variable. */
const REST_ROUTES: ReadonlyArray<[verb: string, path: string]> = [
  ["POST", "/v2/users/human"],
  ["GET", "/v2/users/{}"],
  ["POST", "/v2/users/{}/password"],
  ["POST", "/v2/users/{}/password_reset"],
  ["POST", "/v2/users/{}/lock"],
  ["POST", "/v2/sessions"],
  ["GET", "/v2/sessions/{}"],
  ["DELETE", "/v2/sessions/{}"],
  ["GET", "/v2/settings/lockout"],
  ["POST", "/latchkey/v1/password_reset_requests"],
  ["POST", "/latchkey/v1/users/import"],
];
const PATH_VALUES = ["1", "%ZZ", "%00", "%2F..%2F", "a/b", "%F0%9F%98%80", "x".repeat(5_000), "%E0%A4%A", "..", ""];
const QUERIES = [
  "",
  "?sessionToken=x",
  "?ctx.instance=maybe",
  "?ctx.orgId=1&ctx.instance=true",
  "?a.b.c.d.e=1",
  "?%ZZ=1",
  "?ctx=1",
  "?ctx.orgId",
];
const DEEP_JSON = "[".repeat(10_000) + "]".repeat(10_000);

/** One bad REST call: broken paths and queries, wrong verbs, bodies that are not the method's JSON. */
async function restInput(server: TestServer): Promise<number> {
  const [routeVerb, template] = pickOne(REST_ROUTES);
  const path = template.replace("{}", () => pickOne(PATH_VALUES)) + pickOne(QUERIES);
  const verb = random(5) === 0 ? pickOne(["GET", "POST", "PUT", "PATCH", "DELETE"]) : routeVerb;
  const body =
    verb === "GET"
      ? undefined
      : pickOne([
          () => pickOne(MALFORMED_JSON),
          () => DEEP_JSON,
          () => `{"newPassword":${DEEP_JSON}}`,
          () => JSON.stringify({ userId: "x".repeat(300 * 1024) }),
          () => mutate(Buffer.from(JSON.stringify(humanUser()))),
          () => Buffer.concat([Buffer.from('{"loginName":"'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]),
        ])();
  const res = await fetch(`${server.baseUrl}${path}`, {
    method: verb,
    headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
    ...(body !== undefined && { body }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  expect(res.status, `${verb} ${path.slice(0, 80)} → ${text.slice(0, 200)}`).toBeLessThan(500);
  if (text.startsWith("{")) {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    expect([2, 13, "internal", "unknown"], `${verb} ${path.slice(0, 80)}`).not.toContain(code);
  }
  return 1;
}

/** One bad gRPC request over HTTP/2: random bytes, mutated messages, broken frames, broken compression. */
function http2Input(session: http2.ClientHttp2Session): Promise<number> {
  const path = pickOne(PATHS);
  const seed = pickOne(SEEDS);
  const encoding = pickOne(ENCODINGS);
  const body = pickOne([
    () => randomBytes(random(200)),
    () => frame(mutate(seed)),
    () => frame(randomBytes(random(100))),
    () => frame(Buffer.from(seed), { declaredLength: seed.length + 1000 }),
    () => frame(Buffer.from(seed), { flags: 1 }),
    () => frame(Buffer.alloc(0)),
    () => frame(brokenCompressed(encoding, seed), { flags: 1 }),
    () => frame(brokenCompressed(encoding, seed), { flags: 1 }),
  ])();
  return new Promise((resolve, reject) => {
    const req = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      "grpc-encoding": encoding,
      te: "trailers",
    });
    let status: string | undefined;
    req.on("response", (headers) => (status = (headers["grpc-status"] as string | undefined) ?? status));
    req.on("trailers", (trailers) => (status = (trailers["grpc-status"] as string | undefined) ?? status));
    req.on("error", reject);
    req.setTimeout(10_000, () => reject(new Error(`no answer to ${path}`)));
    req.resume();
    req.on("end", () => {
      try {
        expect(status, `${path} without grpc-status`).toBeDefined();
        expect(status, `${path}: ${body.toString("hex").slice(0, 80)}`).not.toMatch(/^(2|13)$/);
        resolve(1);
      } catch (error) {
        reject(error);
      }
    });
    req.end(body);
  });
}

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

it("answers bad input on every protocol with a proper error, and keeps serving", { timeout: pick(180_000, 1_800_000) }, async () => {
  const server = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "0", LATCHKEY_RATE_LIMIT_PER_USER: "0" } });
  const users = createUserClient("grpc", server.baseUrl);
  const session = http2.connect(server.baseUrl);
  try {
    const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId;
    const stillServing = async () => expect(ok(await users.call("GetUserByID", { userId }, server.adminToken)).user.userId).toBe(userId);
    for (let i = 0; i < 50; i++) await http1Input(server); // warm up before measuring memory
    const rssBefore = rssOf(server.process.pid!);
    let tried = 0;
    for (let i = 0; i < INPUTS; i++) {
      const kind = random(3);
      tried += kind === 0 ? await http1Input(server) : kind === 1 ? await http2Input(session) : await restInput(server);
      if (i % 25 === 0) await stillServing();
    }
    await stillServing();
    const growth = rssOf(server.process.pid!) - rssBefore;
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    expect(server.process.exitCode).toBeNull();
    report("bad-input", { inputs_tried: tried + 50, rss_growth_mib: (growth / 1024 / 1024).toFixed(1) });
  } finally {
    session.close();
    users.close();
    await server.stop();
  }
});

/** Public calls whose values end up as keys of rate limits, failure counts or lookups. */
const OVERSIZED: ReadonlyArray<[path: string, body: (value: string) => object]> = [
  ["/zitadel.session.v2.SessionService/CreateSession", (v) => ({ checks: { user: { loginName: v }, password: { password: "x" } } })],
  ["/zitadel.session.v2.SessionService/CreateSession", (v) => ({ checks: { user: { userId: v }, password: { password: "x" } } })],
  ["/latchkey.password.v1.PasswordService/RequestPasswordReset", (v) => ({ loginName: v })],
  ["/zitadel.user.v2.UserService/SetPassword", (v) => ({ userId: v, newPassword: { password: "x" }, verificationCode: "ACDEFGHJKM" })],
  ["/zitadel.user.v2.UserService/SetPassword", (v) => ({ userId: "1", newPassword: { password: "x" }, verificationCode: v })],
  ["/zitadel.user.v2.UserService/GetUserByID", (v) => ({ userId: v })],
  ["/zitadel.session.v2.SessionService/GetSession", (v) => ({ sessionId: v })],
];

it("keeps its memory bounded under unique oversized values on every public method", { timeout: pick(120_000, 600_000) }, async () => {
  // Limits on but high: every value goes through the rate limiter's bookkeeping too.
  const server = await startServer({ env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "1000000", LATCHKEY_RATE_LIMIT_PER_USER: "1000000" } });
  try {
    const perMethod = pick(60, 300);
    const call = async (path: string, body: object) => {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { code: string };
      expect([400, 401, 404], `${path} → ${JSON.stringify(answer).slice(0, 200)}`).toContain(res.status);
      expect(answer.code).not.toBe("internal");
    };
    await call(OVERSIZED[0]![0], OVERSIZED[0]![1]("warm-up"));
    const rssBefore = rssOf(server.process.pid!);
    let sent = 0;
    for (const [path, body] of OVERSIZED) {
      for (let i = 0; i < perMethod; i++) {
        // ~240 KB, unique, and made of a character NFKC expands (U+FDFA becomes 18 characters).
        await call(path, body(`${sent++}-` + "\uFDFA".repeat(80_000)));
      }
    }
    const growth = rssOf(server.process.pid!) - rssBefore;
    expect(server.process.exitCode).toBeNull();
    expect(growth).toBeLessThan(64 * 1024 * 1024);
    report("oversized-keys", { values_sent: sent, rss_growth_mib: (growth / 1024 / 1024).toFixed(1) });
  } finally {
    await server.stop();
  }
});

/** Privileged calls with every text field filled: the seeds the control-character class mutates. */
const TEXT_SEEDS: ReadonlyArray<[path: string, body: () => Record<string, unknown>]> = [
  [
    "/zitadel.user.v2.UserService/AddHumanUser",
    () =>
      humanUser({
        userId: `fuzz${random(1e9)}`,
        profile: { givenName: "Ada", familyName: "Lovelace", nickName: "ada", displayName: "Ada L.", preferredLanguage: "en" },
        phone: { phone: "+41 79 000 00 00" },
      }),
  ],
  [
    "/zitadel.user.v2.UserService/ListUsers",
    () => ({
      queries: [
        { userNameQuery: { userName: "ada" } },
        { orQuery: { queries: [{ emailQuery: { emailAddress: "a@example.com" } }, { inUserIdsQuery: { userIds: ["1", "2"] } }] } },
        { notQuery: { query: { displayNameQuery: { displayName: "x" } } } },
      ],
    }),
  ],
  ["/zitadel.user.v2.UserService/PasswordReset", () => ({ userId: "1", sendLink: { urlTemplate: "http://127.0.0.1/reset?c={{.Code}}" } })],
  [
    "/zitadel.user.v2.UserService/SetPassword",
    () => ({ userId: "1", newPassword: { password: "Fuzz-Passw0rd!" }, currentPassword: "Old-Passw0rd!" }),
  ],
  ["/zitadel.user.v2.UserService/LockUser", () => ({ userId: "1" })],
  ["/zitadel.session.v2.SessionService/CreateSession", () => ({ checks: { user: { loginName: "ada" }, password: { password: "x" } } })],
];
const CONTROL_CHARACTERS = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  "\u007f",
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(0x80 + i)),
];

/** Puts a control character into one string somewhere in `value` (a copy). */
function withControlCharacter(value: unknown): unknown {
  const strings: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((item, i) => (typeof item === "string" ? strings.push({ parent: node, key: i }) : walk(item)));
    else if (node !== null && typeof node === "object") {
      for (const [key, item] of Object.entries(node))
        typeof item === "string" ? strings.push({ parent: node as Record<string, unknown>, key }) : walk(item);
    }
  };
  const copy = structuredClone(value);
  walk(copy);
  const { parent, key } = pickOne(strings);
  const text = (parent as Record<string | number, string>)[key]!;
  const at = random(text.length + 1);
  (parent as Record<string | number, string>)[key] = text.slice(0, at) + pickOne(CONTROL_CHARACTERS) + text.slice(at);
  return copy;
}

it.each(["sqlite", "postgres"] as const)(
  "refuses a control character in any text field of a call with InvalidArgument, alike on %s",
  { timeout: pick(120_000, 900_000) },
  async (backend) => {
    const server = await startServer({ backend, env: { LATCHKEY_RATE_LIMIT_PER_ADDRESS: "0", LATCHKEY_RATE_LIMIT_PER_USER: "0" } });
    try {
      const inputs = pick(150, 2_000);
      for (let i = 0; i < inputs; i++) {
        const [path, seed] = pickOne(TEXT_SEEDS);
        const body = JSON.stringify(withControlCharacter(seed()));
        const res = await fetch(`${server.baseUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${server.adminToken}` },
          body,
        });
        const answer = (await res.json()) as { code: string };
        expect(`${res.status} ${answer.code}`, `${path} ${body.slice(0, 200)}`).toBe("400 invalid_argument");
      }
      report(`control-characters-${backend}`, { inputs_tried: inputs });
    } finally {
      await server.stop();
    }
  },
);
