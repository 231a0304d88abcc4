// Run as a process of its own (forked by slow-clients.test.ts): holds stalled connections and
// streams open against the server at STALL_PORT, EACH of every kind, so that the process which
// measures the server's answers meanwhile spends none of its own event loop on them.
import http2 from "node:http2";
import net from "node:net";

interface Stall {
  /** Settles once the connection (and its stream) is open at the server: true, or false if it never opened. */
  held: Promise<boolean>;
  /** Settles once the server has let go. */
  released: Promise<void>;
}

const closed = (emitter: NodeJS.EventEmitter) => new Promise<void>((resolve) => emitter.once("close", () => resolve()));
/** True at `event`, false if the emitter closes first (a connection refused or reset before it opened). */
const once = (emitter: NodeJS.EventEmitter, event: string) =>
  new Promise<boolean>((resolve) => {
    emitter.once(event, () => resolve(true));
    emitter.once("close", () => resolve(false));
  });

/** Four ways to hold a server without using it. */
export const STALLS: Record<string, (port: number) => Stall> = {
  "idle h2 connection": (port) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", () => {});
    // Held once the server's SETTINGS arrive: it has taken the connection as HTTP/2.
    return { held: once(session, "remoteSettings"), released: closed(session) };
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
    const held = Promise.all([once(session, "remoteSettings"), once(stream, "ready")]).then((both) => both.every(Boolean));
    return { held, released: closed(stream).then(() => void session.destroy()) };
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

export type StallReport = { held: number; failed: number } | { released: Record<string, number> };

/** Connections opened at once: a wave connects before the next starts, as clients arrive, not as a SYN flood past the listen backlog. */
const WAVE = 100;

if (process.env.STALL_PORT !== undefined && process.send !== undefined) {
  const port = Number(process.env.STALL_PORT);
  const each = Number(process.env.STALL_EACH);
  const started = performance.now();
  const kinds = Object.entries(STALLS).map(([name]) => ({ name, stalls: [] as Stall[] }));
  const outcomes: boolean[] = [];
  for (let opened = 0; opened < each; opened += WAVE) {
    const wave = kinds.flatMap((kind) =>
      Array.from({ length: Math.min(WAVE, each - opened) }, () => {
        const stall = STALLS[kind.name]!(port);
        kind.stalls.push(stall);
        return stall.held;
      }),
    );
    outcomes.push(...(await Promise.all(wave)));
  }
  process.send({ held: outcomes.filter(Boolean).length, failed: outcomes.filter((held) => !held).length } satisfies StallReport);
  const released: Record<string, number> = {};
  await Promise.all(
    kinds.map(async ({ name, stalls }) => {
      await Promise.all(stalls.map((s) => s.released));
      released[name] = (performance.now() - started) / 1000;
    }),
  );
  process.send({ released } satisfies StallReport, () => process.exit(0));
}
