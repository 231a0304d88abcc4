import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";

// What Connect, gRPC-web and ZITADEL's clients send and need to read (as @connectrpc/connect's CORS
// guide lists), and the verbs of the REST paths.
const ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOWED_HEADERS = [
  "Content-Type",
  "Connect-Protocol-Version",
  "Connect-Timeout-Ms",
  "Grpc-Timeout",
  "X-Grpc-Web",
  "X-User-Agent",
  "Authorization",
].join(", ");
const EXPOSED_HEADERS = ["Grpc-Status", "Grpc-Message", "Grpc-Status-Details-Bin"].join(", ");

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/**
 * Adds CORS headers for allowed origins and answers their preflights. Returns true when the
 * request was a preflight and has been answered. Other origins get no CORS headers at all.
 */
export function applyCors(allowedOrigins: ReadonlySet<string>, req: Request, res: Response): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== "string" || !allowedOrigins.has(origin)) return false;
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
  res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  if (req.method !== "OPTIONS") return false;
  res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
  res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
  res.setHeader("Access-Control-Max-Age", "7200");
  res.writeHead(204);
  res.end();
  return true;
}
