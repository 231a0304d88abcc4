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

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { certFile: string; keyFile: string };
  shutdownTimeoutMs: number;
  limits: ConnectionLimits;
}

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight calls finish (bounded), then closes every connection. */
  close(): Promise<void>;
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function listen(handler: Handler, options: ListenOptions, log: Logger): Promise<RunningServer> {
  const { limits } = options;
  const http2Settings = { maxConcurrentStreams: limits.maxStreamsPerConnection, maxHeaderListSize: MAX_HEADER_BYTES };
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  const tracked: Handler = (req, res) => {
    inFlight++;
    // An HTTP/1.1 connection is told to close after its current response once shutdown begins.
    if (closing && "shouldKeepAlive" in res) res.shouldKeepAlive = false;
    res.once("close", () => {
      inFlight--;
      if (closing && inFlight === 0) drained?.();
    });
    deadlineForRequestBody(req, res, limits.requestTimeoutMs);
    handler(req, res);
  };

  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.Http2Session>();
  const trackSession = (session: http2.Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    closeIdleSessions(session, limits.idleTimeoutMs);
  };

  let outer: net.Server;
  let http1: http.Server | undefined;
  if (options.tls) {
    const secure = http2.createSecureServer(
      {
        cert: readFileSync(options.tls.certFile),
        key: readFileSync(options.tls.keyFile),
        allowHTTP1: true, // ALPN picks h2 or http/1.1
        settings: http2Settings,
        noDelay: true,
        // Until the TLS handshake and ALPN are done, the connection is only bytes: bound them too.
        handshakeTimeout: limits.requestTimeoutMs,
      },
      tracked,
    );
    secure.on("session", trackSession);
    outer = secure;
  } else {
    http1 = http.createServer(
      {
        maxHeaderSize: MAX_HEADER_BYTES,
        requestTimeout: limits.requestTimeoutMs,
        headersTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.idleTimeoutMs,
        // How often Node checks the two timeouts above (30 s by default, longer than they may be).
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, limits.requestTimeoutMs / 4)),
      },
      tracked,
    );
    http1.setTimeout(limits.idleTimeoutMs); // no bytes for this long during a request: closed
    // Node checks headersTimeout and requestTimeout only for servers that listen themselves; this
    // one is handed its sockets by the outer server, so start that check (its documented hook).
    http1.emit("listening");
    const h2c = http2.createServer({ settings: http2Settings }, tracked);
    h2c.on("session", trackSession);
    // http.Server would turn Nagle's algorithm off itself, but here the outer server accepts the sockets.
    outer = net.createServer({ noDelay: true }, (socket) => routeByPreface(socket, http1!, h2c, limits.requestTimeoutMs));
  }
  outer.maxConnections = limits.maxConnections;
  outer.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    outer.once("error", reject);
    outer.listen({ port: options.port, host: options.host, backlog: LISTEN_BACKLOG }, () => {
      outer.off("error", reject);
      resolve();
    });
  });
  outer.on("error", (error) => log.error("server error", { error: error.message }));
  const port = (outer.address() as AddressInfo).port;

  return {
    port,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => outer.close(() => resolve()));
      for (const session of sessions) session.close(); // GOAWAY: running streams finish, no new ones
      http1?.closeIdleConnections();
      if (inFlight > 0) {
        const timedOut = await Promise.race([
          new Promise<false>((resolve) => (drained = () => resolve(false))),
          new Promise<true>((resolve) => setTimeout(() => resolve(true), options.shutdownTimeoutMs).unref()),
        ]);
        if (timedOut) log.warn("shutdown timeout: closing connections with calls in flight", { inFlight });
      }
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
