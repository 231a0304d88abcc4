import { readFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import type { Handler } from "./handler.js";
import { routeByPreface } from "./preface.js";
import { closeIdleSessions, deadlineForRequestBody, type ConnectionLimits } from "./slow-clients.js";

/**
 * Connections the kernel may queue before they are accepted (it caps this at net.core.somaxconn):
 * Node's default of 511 drops the SYNs of a burst while the event loop is busy, and each dropped
 * client then waits out TCP's retransmission back-off, seconds at a time.
 */
const LISTEN_BACKLOG = 4096;

interface ListenOptions {
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
  shutdownTimeoutMs: number;
  limits: ConnectionLimits;
}

interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight calls finish (bounded), then closes every connection. */
  close(): Promise<void>;
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function listen(handler: Handler, options: ListenOptions, log: Logger): Promise<RunningServer> {
  const { limits } = options;
  const calls = new CallsInFlight(handler, limits.requestTimeoutMs);
  const connections = new Connections(limits.idleTimeoutMs);
  const { outer, http1 } = options.tls
    ? { outer: tlsServer(options.tls, limits, calls.handler, connections), http1: undefined }
    : cleartextServer(limits, calls.handler, connections);
  outer.maxConnections = limits.maxConnections;
  outer.on("connection", (socket: net.Socket) => connections.addSocket(socket));
  await new Promise<void>((resolve, reject) => {
    outer.once("error", reject);
    outer.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => {
      outer.off("error", reject);
      resolve();
    });
  });
  outer.on("error", (error) => log.error("server error", { error: error.message }));

  return {
    port: (outer.address() as AddressInfo).port,
    async close() {
      calls.closing = true;
      const stopped = new Promise<void>((resolve) => outer.close(() => resolve()));
      connections.goAway(); // running HTTP/2 streams finish, no new ones
      http1?.closeIdleConnections();
      if (!(await calls.drained(options.shutdownTimeoutMs))) {
        log.warn("shutdown timeout: closing connections with calls in flight", { inFlight: calls.count });
      }
      connections.destroy();
      await stopped;
    },
  };
}

/** Counts the calls in progress, so that shutdown can wait for them. */
class CallsInFlight {
  count = 0;
  /** Once shutdown begins, an HTTP/1.1 connection is told to close after its current response. */
  closing = false;
  private onDrained: (() => void) | undefined;
  readonly handler: Handler;

  constructor(handler: Handler, requestTimeoutMs: number) {
    this.handler = (req, res) => {
      this.count++;
      if (this.closing && "shouldKeepAlive" in res) res.shouldKeepAlive = false;
      res.once("close", () => {
        this.count--;
        if (this.closing && this.count === 0) this.onDrained?.();
      });
      deadlineForRequestBody(req, res, requestTimeoutMs);
      handler(req, res);
    };
  }

  /** Whether every call finished within the timeout. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return true;
    return Promise.race([
      new Promise<true>((resolve) => (this.onDrained = () => resolve(true))),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
    ]);
  }
}

/** The open sockets and HTTP/2 sessions, to end them at shutdown. */
class Connections {
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<http2.Http2Session>();

  constructor(private readonly idleTimeoutMs: number) {}

  addSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  readonly addSession = (session: http2.Http2Session): void => {
    this.sessions.add(session);
    session.once("close", () => this.sessions.delete(session));
    closeIdleSessions(session, this.idleTimeoutMs);
  };

  /** GOAWAY on every HTTP/2 session. */
  goAway(): void {
    for (const session of this.sessions) session.close();
  }

  destroy(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

const http2Settings = (limits: ConnectionLimits) => ({
  maxConcurrentStreams: limits.maxStreamsPerConnection,
  maxHeaderListSize: MAX_HEADER_BYTES,
});

function tlsServer(
  tls: NonNullable<ListenOptions["tls"]>,
  limits: ConnectionLimits,
  handler: Handler,
  connections: Connections,
): net.Server {
  const secure = http2.createSecureServer(
    {
      cert: readFileSync(tls.certFile),
      key: readFileSync(tls.keyFile),
      allowHTTP1: true, // ALPN picks h2 or http/1.1
      settings: http2Settings(limits),
      noDelay: true,
      // Until the TLS handshake and ALPN are done, the connection is only bytes: bound them too.
      handshakeTimeout: limits.requestTimeoutMs,
    },
    handler,
  );
  secure.on("session", connections.addSession);
  return secure;
}

/** HTTP/1.1 and h2c on one port, told apart by the connection's first bytes. */
function cleartextServer(limits: ConnectionLimits, handler: Handler, connections: Connections): { outer: net.Server; http1: http.Server } {
  const http1 = http.createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      // How often Node checks the two timeouts above (30 s by default, longer than they may be).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.requestTimeoutMs / 4)),
    },
    handler,
  );
  http1.setTimeout(limits.idleTimeoutMs); // no bytes for this long during a request: closed
  // Node checks headersTimeout and requestTimeout only for servers that listen themselves; this
  // one is handed its sockets by the outer server, so start that check (its documented hook).
  http1.emit("listening");
  const h2c = http2.createServer({ settings: http2Settings(limits) }, handler);
  h2c.on("session", connections.addSession);
  // http.Server would turn Nagle's algorithm off itself, but here the outer server accepts the sockets.
  const outer = net.createServer({ noDelay: true }, (socket) => routeByPreface(socket, http1, h2c, limits.requestTimeoutMs));
  return { outer, http1 };
}
