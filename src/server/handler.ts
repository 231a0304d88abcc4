import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import { rewriteDecodeErrors } from "./decode-errors.js";
import type { AppContext } from "../app/shared/context.js";
import { authInterceptor } from "../api/auth.js";
import { callMetricsInterceptor } from "../api/call-metrics.js";
import { controlCharactersInterceptor } from "../api/control-characters.js";
import { durableAnswersInterceptor } from "../api/durable-answers.js";
import { accessLogInterceptor, errorInterceptor } from "../api/errors.js";
import { clientContextValues, RateLimiter } from "../api/rate-limit.js";
import type { TrustedProxies } from "../api/trusted-proxies.js";
import { routes } from "../api/routes.js";
import { applyCors } from "./cors.js";
import { createRestGateway } from "./rest/rest-gateway.js";
import { createUi } from "./ui.js";

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;
export type Handler = (req: Request, res: Response) => void;

export interface HandlerOptions {
  corsOrigins: readonly string[];
  /** Public calls per minute, per client address and per target user; 0 is unlimited. */
  rateLimits: { perAddress: number; perUser: number; ipv6PrefixBits: number };
  /** Proxies whose X-Forwarded-For names the client (LATCHKEY_TRUSTED_PROXIES). */
  trustedProxies: TrustedProxies;
  maxRequestBytes: number;
  /** Whether this replica can serve: not shutting down, and its database answers. */
  isServing: () => Promise<boolean>;
  shutdownSignal: AbortSignal;
  /** gRPC server reflection (grpc.reflection.v1 and v1alpha). */
  reflection: boolean;
  /** The hosted password pages under /ui/, or null when they are off. */
  ui: { cssDir: string | undefined; productName: string | undefined } | null;
}

/** Every route on the port: the Connect services (all three protocols), their REST paths, /healthz, CORS. */
export function createHandler(app: AppContext, options: HandlerOptions): Handler {
  const router = createConnectRouter({
    interceptors: [
      callMetricsInterceptor(app.metrics),
      accessLogInterceptor(app.log),
      errorInterceptor(app.log),
      durableAnswersInterceptor(app.store),
      authInterceptor(app),
      controlCharactersInterceptor(),
    ],
    readMaxBytes: options.maxRequestBytes, // after decompression too
    acceptCompression: [compressionGzip, compressionBrotli],
    shutdownSignal: options.shutdownSignal,
  });
  const onLimited = (limit: string) => app.metrics.rateLimited(limit);
  routes(
    app,
    {
      perAddress: new RateLimiter("address", options.rateLimits.perAddress, app.store.throttles, app.clock, onLimited),
      perUser: new RateLimiter("target", options.rateLimits.perUser, app.store.throttles, app.clock, onLimited),
    },
    options.isServing,
    options.reflection,
  )(router);
  const procedures = new Map(router.handlers.map((h) => [h.requestPath, h]));
  const contextValues = (req: Request) => clientContextValues(req, options.rateLimits.ipv6PrefixBits, options.trustedProxies);
  const rest = createRestGateway(router.handlers, { maxRequestBytes: options.maxRequestBytes, contextValues, log: app.log });
  const ui = options.ui === null ? () => false : createUi(options.ui);

  // As connectNodeAdapter, plus the rewrite of undecodable requests (decode-errors.ts).
  const connect: Handler = (req, res) => {
    const procedure = procedures.get(req.url?.split("?", 2)[0] ?? "");
    if (!procedure) {
      if (!ui(req, res) && !rest(req, res)) void fallback(req, res, options.isServing);
      return;
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, contextValues(req));
    procedure(uReq)
      .then((uRes) => rewriteDecodeErrors(uRes, procedure.method.methodKind === "unary"))
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code === Code.Aborted) return;
        app.log.error("response failed", {
          procedure: procedure.method.name,
          error: reason instanceof Error ? reason.message : String(reason),
        });
      });
  };
  const origins = new Set(options.corsOrigins);
  return (req, res) => {
    if (applyCors(origins, req, res)) return;
    connect(req, res);
  };
}

/** /healthz; Unimplemented for a method we do not serve, in gRPC's terms or Connect's; 404 for anything else. */
async function fallback(req: Request, res: Response, isServing: () => Promise<boolean>): Promise<void> {
  const contentType = req.headers["content-type"] ?? "";
  if (req.method === "POST" && contentType.startsWith("application/grpc")) {
    const headers = { "content-type": contentType, "grpc-status": "12", "grpc-message": encodeURIComponent("no such method") };
    // Trailers-only, in one HEADERS frame that ends the stream: a client still sending (a
    // streaming call) reads the status before the stream is reset, as gRPC wants.
    if ("stream" in res) res.stream.respond({ ":status": 200, ...headers }, { endStream: true });
    else res.writeHead(200, headers).end();
    return;
  }
  if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    const serving = await isServing();
    res.writeHead(serving ? 200 : 503, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: serving ? "SERVING" : "NOT_SERVING" }));
    return;
  }
  res.writeHead(404, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ code: req.method === "POST" ? "unimplemented" : "not_found", message: "no such route" }));
}
