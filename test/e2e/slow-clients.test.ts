import http2 from "node:http2";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../helpers/server.js";

const IDLE_MS = 1_000;
const REQUEST_MS = 1_000;
let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      LATCHKEY_IDLE_TIMEOUT: `${IDLE_MS}ms`,
      LATCHKEY_REQUEST_TIMEOUT: `${REQUEST_MS}ms`,
      LATCHKEY_MAX_CONNECTIONS: "20",
      LATCHKEY_MAX_STREAMS_PER_CONNECTION: "7",
    },
  });
});
afterAll(async () => {
  await server.stop();
});

/** Resolves with how long after `started` the emitter emitted `event`. */
const after = (emitter: NodeJS.EventEmitter, event: string, started: number) =>
  new Promise<number>((resolve) => emitter.once(event, () => resolve(performance.now() - started)));

const rawSocket = () =>
  new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect(server.port, "127.0.0.1", () => resolve(socket));
    socket.on("error", reject);
  });

describe("a client that holds a connection without using it", () => {
  it("over HTTP/2 with no stream is closed after the idle timeout", async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => {});
    const started = performance.now();
    const goaway = after(session, "goaway", started);
    const closed = await after(session, "close", started);
    expect(await goaway).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(closed).toBeLessThan(IDLE_MS + 2_500);
  });

  it("over HTTP/2 with pings only is closed all the same", async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => {});
    const pinger = setInterval(() => !session.closed && !session.destroyed && session.ping(() => {}), 100);
    session.once("close", () => clearInterval(pinger));
    const started = performance.now();
    try {
      expect(await after(session, "close", started)).toBeLessThan(IDLE_MS + 2_500);
    } finally {
      clearInterval(pinger);
    }
  });

  it("over HTTP/1.1 keep-alive is closed after the idle timeout", async () => {
    const socket = await rawSocket();
    const started = performance.now();
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    let answer = "";
    socket.on("data", (d: Buffer) => (answer += d));
    const closed = await after(socket, "close", started);
    expect(answer).toMatch(/^HTTP\/1.1 200/);
    expect(closed).toBeGreaterThanOrEqual(IDLE_MS - 50);
    expect(closed).toBeLessThan(IDLE_MS + 2_500);
  });

  it("that trickles the HTTP/2 preface a byte at a time loses the socket at the deadline", async () => {
    const socket = await rawSocket();
    const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    let i = 0;
    const trickle = setInterval(() => i < preface.length && socket.write(preface.subarray(i, ++i)), 100);
    const started = performance.now();
    try {
      const closed = await after(socket, "close", started);
      expect(i).toBeLessThan(preface.length); // still sending when cut off
      expect(closed).toBeLessThan(REQUEST_MS + 1_000);
    } finally {
      clearInterval(trickle);
    }
  });

  it("that trickles HTTP/1.1 headers loses the socket at the deadline", async () => {
    const socket = await rawSocket();
    socket.write("POST /zitadel.user.v2.UserService/GetUserByID HTTP/1.1\r\n");
    const trickle = setInterval(() => socket.write("X-A: b\r\n"), 100);
    const started = performance.now();
    try {
      expect(await after(socket, "close", started)).toBeLessThan(REQUEST_MS + 2_000);
    } finally {
      clearInterval(trickle);
    }
  });
});

describe("a request whose body does not arrive", () => {
  it("over HTTP/2 has its stream reset at the request deadline, and the connection serves on", async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => {});
    try {
      const stream = session.request({
        ":method": "POST",
        ":path": "/zitadel.user.v2.UserService/GetUserByID",
        "content-type": "application/grpc",
        "content-length": "100",
        te: "trailers",
      });
      stream.on("error", () => {});
      stream.write(Buffer.from([0]));
      stream.resume();
      const started = performance.now();
      const closed = await after(stream, "close", started);
      expect(closed).toBeGreaterThanOrEqual(REQUEST_MS - 50);
      expect(closed).toBeLessThan(REQUEST_MS + 1_500);
      expect(stream.rstCode).toBe(http2.constants.NGHTTP2_CANCEL);

      const health = session.request({ ":path": "/healthz" });
      health.resume();
      const headers = await new Promise<http2.IncomingHttpHeaders>((resolve) => health.once("response", resolve));
      expect(headers[":status"]).toBe(200);
    } finally {
      session.close();
    }
  });

  it("over HTTP/1.1 loses its connection at the request deadline", async () => {
    const socket = await rawSocket();
    socket.write(
      "POST /zitadel.user.v2.UserService/GetUserByID HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    const started = performance.now();
    const closed = await after(socket, "close", started);
    expect(closed).toBeLessThan(REQUEST_MS + 2_000);
  });
});

describe("limits on what one client may hold", () => {
  it("announces and enforces the streams allowed on one HTTP/2 connection", async () => {
    const session = http2.connect(server.baseUrl);
    session.on("error", () => {});
    try {
      await new Promise((resolve) => session.once("remoteSettings", resolve));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(7);
    } finally {
      session.close();
    }
  });

  it("refuses connections beyond the maximum, and accepts again once some close", async () => {
    const held: net.Socket[] = [];
    try {
      // Other tests' connections may still be closing: fill up until one is refused.
      let refused: net.Socket | undefined;
      for (let i = 0; i < 25 && refused === undefined; i++) {
        const socket = await rawSocket();
        const outcome = await Promise.race([
          after(socket, "close", 0).then(() => "closed"),
          new Promise((r) => socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", () => socket.once("data", () => r("served")))),
        ]);
        if (outcome === "closed") refused = socket;
        else held.push(socket);
      }
      expect(refused).toBeDefined();
      expect(held.length).toBeLessThanOrEqual(20);
      for (const socket of held.splice(0)) socket.destroy();
      const again = await fetch(`${server.baseUrl}/healthz`);
      expect(again.status).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
