import type { UniversalServerResponse } from "@connectrpc/connect/protocol";

/*
 * Connect-ES answers some malformed requests with Internal (as grpc-go does for undecodable
 * messages). To a client that reads as a server fault; it is the client's. Here those become
 * InvalidArgument with a plain message, in whichever protocol carried them. Only unary answers
 * are read whole (small, and complete when the handler returns); a stream's body passes through
 * as it comes, so that a bidirectional stream (server reflection) keeps flowing.
 */
const CLIENT_FAULTS: ReadonlyArray<[libraryPrefix: string, message: string]> = [
  ["parse binary:", "the request body is not a valid protobuf message"],
  ["received compressed envelope", "the request is marked compressed but names no known compression"],
  // A truncated or corrupt gzip or brotli body, whichever way the bytes are broken.
  ["decompression failed", "the request body could not be decompressed"],
];
const GRPC_INTERNAL = "13";
const GRPC_INVALID_ARGUMENT = "3";

/** The plain message for an Internal error that is really the client's fault, if it is one. */
function clientFault(grpcStatus: string | null, grpcMessage: string | null): string | null {
  if (grpcStatus !== GRPC_INTERNAL) return null;
  const message = grpcMessage ?? "";
  const fault = CLIENT_FAULTS.find(([prefix]) => message.startsWith(prefix) || message.startsWith(encodeURIComponent(prefix)));
  return fault?.[1] ?? null;
}

function rewriteGrpcHeaders(headers: Headers | undefined): void {
  const message = headers ? clientFault(headers.get("grpc-status"), headers.get("grpc-message")) : null;
  if (!headers || message === null) return;
  headers.set("grpc-status", GRPC_INVALID_ARGUMENT);
  headers.set("grpc-message", encodeURIComponent(message));
  headers.delete("grpc-status-details-bin");
}

function connectClientFault(body: Buffer): string | null {
  try {
    const error = JSON.parse(body.toString("utf8")) as { code?: string; message?: string };
    return error.code === "internal" ? clientFault(GRPC_INTERNAL, error.message ?? "") : null;
  } catch {
    return null;
  }
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

/** gRPC-web sends its trailers as the last frame of the body (flag 0x80, HTTP/1-style lines). */
function rewriteGrpcWebTrailer(body: Buffer): Buffer {
  let offset = 0;
  while (offset + 5 <= body.length) {
    const flags = body[offset]!;
    const length = body.readUInt32BE(offset + 1);
    // A decode failure's trailer is short and so never compressed (flag 0x01): leave those alone.
    if (flags === 0x80) {
      const lines = new Headers(
        body
          .subarray(offset + 5, offset + 5 + length)
          .toString("utf8")
          .split("\r\n")
          .filter((l) => l.includes(":"))
          .map((l) => [l.slice(0, l.indexOf(":")).trim(), l.slice(l.indexOf(":") + 1).trim()] as [string, string]),
      );
      const message = clientFault(lines.get("grpc-status"), lines.get("grpc-message"));
      if (message === null) return body;
      const text = Buffer.from(`grpc-status: ${GRPC_INVALID_ARGUMENT}\r\ngrpc-message: ${encodeURIComponent(message)}\r\n`);
      const header = Buffer.alloc(5);
      header.writeUInt8(flags, 0);
      header.writeUInt32BE(text.length, 1);
      return Buffer.concat([body.subarray(0, offset), header, text]);
    }
    offset += 5 + length;
  }
  return body;
}

/** Never throws: a response it cannot read is passed on as it was. */
export async function rewriteDecodeErrors(res: UniversalServerResponse, unary: boolean): Promise<UniversalServerResponse> {
  rewriteGrpcHeaders(res.header);
  rewriteGrpcHeaders(res.trailer);
  const type = res.header?.get("content-type") ?? "";
  if (!res.body || !unary) return res;
  if (type.startsWith("application/grpc-web")) {
    const bytes = await readAll(res.body);
    try {
      return { ...res, body: once(rewriteGrpcWebTrailer(bytes)) };
    } catch {
      return { ...res, body: once(bytes) };
    }
  }
  if (res.status === 500 && type.startsWith("application/json")) {
    const bytes = await readAll(res.body);
    const message = connectClientFault(bytes);
    if (message === null) return { ...res, body: once(bytes) };
    const replaced = Buffer.from(JSON.stringify({ code: "invalid_argument", message }));
    res.header?.set("content-length", String(replaced.length));
    return { ...res, status: 400, body: once(replaced) };
  }
  return res;
}
