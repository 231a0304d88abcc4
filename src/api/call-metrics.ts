import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import type { CallProtocol, Metrics } from "../metrics.js";

/** Set by the REST gateway, which hands its calls to the Connect handlers as Connect JSON. */
export const viaRestKey = createContextKey<boolean>(false, { description: "the call came in on a REST path" });

/** Counts and times every call by procedure, protocol and status code. */
export function callMetricsInterceptor(metrics: Metrics): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const procedure = `${req.service.typeName}/${req.method.name}`;
    const protocol = req.contextValues.get(viaRestKey) ? "rest" : protocolOf(req.header.get("content-type") ?? "");
    let code = "ok";
    try {
      return await next(req);
    } catch (error) {
      // As gRPC and Connect spell them: invalid_argument, resource_exhausted, ...
      code = Code[ConnectError.from(error).code]!.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
      throw error;
    } finally {
      metrics.callAnswered(procedure, protocol, code, (performance.now() - started) / 1000);
    }
  };
}

function protocolOf(contentType: string): CallProtocol {
  if (contentType.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType.startsWith("application/grpc")) return "grpc";
  return "connect";
}
