// Run as a process of its own (forked by slow-clients.test.ts): holds stalled connections and
// streams open against the server at STALL_PORT, EACH of every kind, so that the process which
// measures the server's answers meanwhile spends none of its own event loop on them.
import http2 from "node:http2";
import net from "node:net";

interface Stall {
  /** Settles once the connection (and its stream) is open at the server. */
  held: Promise<void>;
  /** Settles once the server has let go. */
  released: Promise<void>;
}

const closed = (emitter: NodeJS.EventEmitter) => new Promise<void>((resolve) => emitter.once("close", () => resolve()));
const once = (emitter: NodeJS.EventEmitter, event: string) => new Promise<void>((resolve) => emitter.once(event, () => resolve()));

/** Four ways to hold a server without using it. */
export const STALLS: Record<string, (port: number) => Stall> = {
  "idle h2 connection": (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    return { held: once(session, "connect"), released: closed(session) };
  },
  "h2 stream without its body": (port) => {
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
    return { held: once(stream, "ready"), released: closed(stream).then(() => void session.destroy()) };
  },
  "trickled h2 preface": (port) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let sent = 0;
    const trickle = setInterval(() => sent < preface.length && socket.write(preface[sent++]!), 250);
    return { held: once(socket, "connect"), released: closed(socket).then(() => clearInterval(trickle)) };
  },
  "h1 request without its body": (port) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(
        "POST /zitadel.user.v2.UserService/GetUserByID HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
      ),
    );
    socket.on("error", () => {});
    return { held: once(socket, "connect"), released: closed(socket) };
  },
};

export type StallReport = { held: true } | { released: Record<string, number> };

if (process.env.STALL_PORT !== undefined && process.send !== undefined) {
  const port = Number(process.env.STALL_PORT);
  const each = Number(process.env.STALL_EACH);
  const started = performance.now();
  const kinds = Object.entries(STALLS).map(([name, stall]) => ({ name, stalls: Array.from({ length: each }, () => stall(port)) }));
  await Promise.all(kinds.flatMap((k) => k.stalls.map((s) => s.held)));
  process.send({ held: true } satisfies StallReport);
  const released: Record<string, number> = {};
  await Promise.all(
    kinds.map(async ({ name, stalls }) => {
      await Promise.all(stalls.map((s) => s.released));
      released[name] = (performance.now() - started) / 1000;
    }),
  );
  process.send({ released } satisfies StallReport, () => process.exit(0));
}
