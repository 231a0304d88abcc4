import http2 from "node:http2";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

const PATH = "/zitadel.user.v2.UserService/GetUserByID";
const TRUNCATED = Buffer.from([0x0a, 0x09, 0x61]); // field 1, says 9 bytes, has 1

function frame(message: Buffer, flags = 0): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(flags, 0);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

function grpcCall(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status?: string; message?: string }> {
  const session = http2.connect(server.baseUrl);
  return new Promise((resolve, reject) => {
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    const result: { status?: string; message?: string } = {};
    const read = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"]) Object.assign(result, { status: h["grpc-status"], message: decodeURIComponent(h["grpc-message"] as string) });
    };
    req.on("response", read);
    req.on("trailers", read);
    req.on("error", reject);
    req.resume();
    req.on("end", () => {
      session.close();
      resolve(result);
    });
    req.end(body);
  });
}

describe("a malformed request", () => {
  it("that does not decode is InvalidArgument, not Internal, over gRPC", async () => {
    expect(await grpcCall(PATH, frame(TRUNCATED))).toEqual({ status: "3", message: "the request body is not a valid protobuf message" });
    expect((await grpcCall(PATH, frame(Buffer.from([0x0a, 0x01, 0x61]), 1))).status).toBe("3");
  });

  it("that does not decode is InvalidArgument over Connect and gRPC-web", async () => {
    const connect = await fetch(`${server.baseUrl}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: TRUNCATED,
    });
    expect(connect.status).toBe(400);
    expect(await connect.json()).toEqual({ code: "invalid_argument", message: "the request body is not a valid protobuf message" });

    const web = await fetch(`${server.baseUrl}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: frame(TRUNCATED),
    });
    const trailer = Buffer.from(await web.arrayBuffer())
      .subarray(5)
      .toString("utf8");
    expect(trailer).toContain("grpc-status: 3");
  });

  it("for a method we do not serve is Unimplemented", async () => {
    expect(await grpcCall("/zitadel.user.v2.UserService/DeleteUser", frame(Buffer.alloc(0)))).toEqual({
      status: "12",
      message: "no such method",
    });
    const connect = await fetch(`${server.baseUrl}/zitadel.user.v2.UserService/DeleteUser`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(connect.status).toBe(404);
    expect(((await connect.json()) as { code: string }).code).toBe("unimplemented");
  });

  it("above the size limit is refused", async () => {
    const res = await fetch(`${server.baseUrl}${PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: "x".repeat(300 * 1024) }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { code: string }).code).toBe("resource_exhausted");
  });
});

describe("a compressed body that does not decompress", () => {
  // Connect-ES itself answers some of these InvalidArgument "decompression failed"; the rest were Internal.
  const message = expect.stringMatching(/^(the request body could not be decompressed|decompression failed)$/);
  const json = Buffer.from(JSON.stringify({ userId: "1" }));
  const broken = (compress: (b: Buffer) => Buffer, bytes: Buffer) => {
    const whole = compress(bytes);
    return [whole.subarray(0, whole.length - 4), whole.subarray(0, 3), Buffer.concat([whole.subarray(0, 6), Buffer.from("garbage")])];
  };
  const ENCODINGS: Array<[string, (b: Buffer) => Buffer]> = [
    ["gzip", (b) => gzipSync(b)],
    ["br", (b) => brotliCompressSync(b)],
  ];

  it.each(ENCODINGS)("is InvalidArgument over Connect, gRPC-web and gRPC (%s)", async (encoding, compress) => {
    for (const body of broken(compress, json)) {
      const res = await fetch(`${server.baseUrl}${PATH}`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": encoding },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ code: "invalid_argument", message });
    }
    const pb = Buffer.from([0x0a, 0x01, 0x31]);
    for (const body of broken(compress, pb)) {
      const web = await fetch(`${server.baseUrl}${PATH}`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web+proto", "grpc-encoding": encoding },
        body: frame(body, 1),
      });
      const text = Buffer.from(await web.arrayBuffer()).toString("latin1");
      expect(text).toContain("grpc-status: 3");
      expect(decodeURIComponent(/grpc-message: (.*)\r\n/.exec(text)![1]!)).toEqual(message);
      expect(await grpcCall(PATH, frame(body, 1), { "grpc-encoding": encoding })).toEqual({ status: "3", message });
    }
  });
});

describe("an oversized login name, user id or session id", () => {
  const post = async (path: string, body: object) => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { code: string; message: string } };
  };
  const long = "a".repeat(201);

  it("is refused as invalid before it is looked up or counted", async () => {
    const login = await post("/zitadel.session.v2.SessionService/CreateSession", {
      checks: { user: { loginName: long }, password: { password: "x" } },
    });
    expect(login.status).toBe(400);
    expect(login.body.message).toContain("checks.user.login_name must be at most 200 characters long");
    const byId = await post("/zitadel.session.v2.SessionService/CreateSession", {
      checks: { user: { userId: long }, password: { password: "x" } },
    });
    expect(byId.body.message).toContain("checks.user.user_id must be 1 to 200 characters");
    const reset = await post("/latchkey.password.v1.PasswordService/RequestPasswordReset", { loginName: long });
    expect(reset.body.message).toContain("login_name must be at most 200 characters long");
    const redeem = await post("/zitadel.user.v2.UserService/SetPassword", {
      userId: long,
      newPassword: { password: "x" },
      verificationCode: "ACDEFGHJKM",
    });
    expect(redeem.body.message).toContain("user_id must be 1 to 200 characters");
    const session = await post("/zitadel.session.v2.SessionService/GetSession", { sessionId: long });
    expect(session.body.message).toContain("session_id must be 1 to 200 characters");
  });
});
