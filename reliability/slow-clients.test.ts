import http2 from "node:http2";
import net from "node:net";
import { expect, it } from "vitest";
import { createUserClient } from "../test/helpers/clients.js";
import { humanUser, ok } from "../test/helpers/fixtures.js";
import { startServer } from "../test/helpers/server.js";
import { pick, report } from "./mode.js";

const TIMEOUT_MS = 2_000;
const EACH = pick(50, 400);

const closed = (emitter: NodeJS.EventEmitter) => new Promise<void>((resolve) => emitter.once("close", () => resolve()));

/** Four ways to hold a server without using it; each resolves once the server has let go. */
const STALLS: Record<string, (port: number) => Promise<void>> = {
  "idle h2 connection": async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    await closed(session);
  },
  "h2 stream without its body": async (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    const stream = session.request({
      ":method": "POST",
      ":path": "/zitadel.user.v2.UserService/GetUserByID",
      "content-type": "application/grpc",
      "content-length": "1000",
    });
    stream.on("error", () => {});
    stream.write(Buffer.from([0]));
    await closed(stream);
    session.destroy();
  },
  "trickled h2 preface": async (port) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let sent = 0;
    const trickle = setInterval(() => sent < preface.length && socket.write(preface[sent++]!), 250);
    await closed(socket);
    clearInterval(trickle);
  },
  "h1 request without its body": async (port) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(
        "POST /zitadel.user.v2.UserService/GetUserByID HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
      ),
    );
    socket.on("error", () => {});
    await closed(socket);
  },
};

it("lets go of stalled connections and streams at their deadlines, and serves others meanwhile", { timeout: 120_000 }, async () => {
  const server = await startServer({
    env: { LATCHKEY_IDLE_TIMEOUT: `${TIMEOUT_MS}ms`, LATCHKEY_REQUEST_TIMEOUT: `${TIMEOUT_MS}ms` },
  });
  const users = createUserClient("connect-json", server.baseUrl);
  try {
    const userId = ok(await users.call("AddHumanUser", humanUser(), server.adminToken)).userId;
    const figures: Record<string, string | number> = {};
    const started = performance.now();
    const stalls = Object.entries(STALLS).map(async ([name, stall]) => {
      const from = performance.now();
      await Promise.all(Array.from({ length: EACH }, () => stall(server.port)));
      figures[`${name.replaceAll(" ", "_")}_released_s`] = ((performance.now() - from) / 1000).toFixed(1);
    });
    // While hundreds of stalls are held, a real call is answered at once.
    const during = performance.now();
    expect(ok(await users.call("GetUserByID", { userId }, server.adminToken)).user.userId).toBe(userId);
    const servedMs = performance.now() - during;
    await Promise.all(stalls);
    const releasedMs = performance.now() - started;
    expect(releasedMs).toBeLessThan(TIMEOUT_MS * 2 + 3_000);
    expect(servedMs).toBeLessThan(1_000);
    expect(server.process.exitCode).toBeNull();
    report("slow-clients", { stalls: EACH * Object.keys(STALLS).length, ...figures, call_during_stalls_ms: servedMs.toFixed(0) });
  } finally {
    users.close();
    await server.stop();
  }
});
