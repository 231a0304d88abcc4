import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { AppContext } from "../app/context.js";
import { authInterceptor } from "../api/auth.js";
import { accessLogInterceptor, errorInterceptor } from "../api/errors.js";
import { clientContextValues, RateLimiter } from "../api/rate-limit.js";
import { routes } from "../api/routes.js";
import { applyCors } from "./cors.js";

export type Request = IncomingMessage | Http2ServerRequest;
export type Response = ServerResponse | Http2ServerResponse;
export type Handler = (req: Request, res: Response) => void;

export interface HandlerOptions {
  corsOrigins: readonly string[];
  /** Public calls per minute, per client address and per target user; 0 is unlimited. */
  rateLimits: { perAddress: number; perUser: number };
  maxRequestBytes: number;
  isServing: () => boolean;
  shutdownSignal: AbortSignal;
}

/** Every route on the port: the Connect services (all three protocols), /healthz, CORS. */
export function createHandler(app: AppContext, options: HandlerOptions): Handler {
  const connect = connectNodeAdapter({
    routes: routes(
      app,
      { perAddress: new RateLimiter(options.rateLimits.perAddress), perUser: new RateLimiter(options.rateLimits.perUser) },
      options.isServing,
    ),
    contextValues: clientContextValues,
    interceptors: [accessLogInterceptor(app.log), errorInterceptor(app.log), authInterceptor(app)],
    readMaxBytes: options.maxRequestBytes,
    shutdownSignal: options.shutdownSignal,
    fallback: (req, res) => {
      if (req.url === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        const serving = options.isServing();
        res.writeHead(serving ? 200 : 503, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: serving ? "SERVING" : "NOT_SERVING" }));
        return;
      }
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: "not_found", message: "no such route" }));
    },
  });
  const origins = new Set(options.corsOrigins);
  return (req, res) => {
    if (applyCors(origins, req, res)) return;
    connect(req, res);
  };
}
