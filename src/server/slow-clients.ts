import http2 from "node:http2";
import type { Request, Response } from "./handler.js";

/** How long clients may take, and how much of the server one client may hold. */
export interface ConnectionLimits {
  /** A connection with no request in progress is closed after this long. */
  idleTimeoutMs: number;
  /** A request's headers and body must have arrived this long after it began. */
  requestTimeoutMs: number;
  /** Open connections at once; more are refused. */
  maxConnections: number;
  /** Concurrent HTTP/2 streams on one connection (announced in SETTINGS, enforced by Node). */
  maxStreamsPerConnection: number;
}

/**
 * An HTTP/2 connection without an open stream for `idleTimeoutMs` is closed (GOAWAY, then the
 * socket). Traffic that opens no stream (pings, settings, a trickle of bytes) does not count as
 * use, so a client cannot hold a connection without making requests.
 */
export function closeIdleSessions(session: http2.Http2Session, idleTimeoutMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      session.close();
      // A client that does not answer the GOAWAY loses the socket as well.
      setTimeout(() => session.destroy(), 1_000).unref();
    }, idleTimeoutMs).unref();
  };
  session.on("stream", (stream: http2.Http2Stream) => {
    if (open++ === 0) clearTimeout(timer);
    stream.once("close", () => {
      if (--open === 0 && !session.closed) arm();
    });
  });
  session.once("close", () => clearTimeout(timer));
  arm();
}

/**
 * A request whose body has not fully arrived `requestTimeoutMs` after it began is ended: an HTTP/2
 * stream is reset, an HTTP/1.1 connection closed. Declaring a body and sending it a byte at a time
 * cannot hold a stream, its buffers or a handler.
 */
export function deadlineForRequestBody(req: Request, res: Response, requestTimeoutMs: number): void {
  if (req.readableEnded) return;
  const timer = setTimeout(() => {
    if (req.readableEnded) return;
    if ("stream" in req) req.stream.close(http2.constants.NGHTTP2_CANCEL);
    else req.socket.destroy();
  }, requestTimeoutMs).unref();
  req.once("end", () => clearTimeout(timer));
  res.once("close", () => clearTimeout(timer));
}
