import type http from "node:http";
import type http2 from "node:http2";
import type net from "node:net";

const HTTP2_PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/**
 * One plaintext port for both protocols: a connection that opens with the HTTP/2 preface (gRPC
 * and other HTTP/2 clients with prior knowledge) goes to the HTTP/2 server, anything else to
 * HTTP/1.1. Bytes read to decide are pushed back before the chosen server sees the socket.
 */
export function routeByPreface(socket: net.Socket, http1: http.Server, http2Server: http2.Http2Server, deadlineMs: number): void {
  let seen = Buffer.alloc(0);
  // An absolute deadline, not an idle timeout: a client trickling the preface a byte at a time must not hold the socket.
  const deadline = setTimeout(() => socket.destroy(), deadlineMs).unref();
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_PREFACE.length);
    const isHttp2 = seen.subarray(0, compared).equals(HTTP2_PREFACE.subarray(0, compared));
    if (isHttp2 && seen.length < HTTP2_PREFACE.length) return; // could still be either: wait for more
    socket.off("data", onData);
    clearTimeout(deadline);
    socket.pause();
    socket.unshift(seen);
    (isHttp2 ? http2Server : http1).emit("connection", socket);
    process.nextTick(() => socket.resume());
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
  socket.once("close", () => clearTimeout(deadline));
}
