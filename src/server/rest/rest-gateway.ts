import { fromJson, getOption, hasOption, toJson, type DescMethod, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError, type ContextValues } from "@connectrpc/connect";
import { errorFromJsonBytes } from "@connectrpc/connect/protocol-connect";
import { viaRestKey } from "../../api/call-metrics.js";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import { http } from "../../../gen/google/api/annotations_pb.js";
import { options } from "../../../gen/zitadel/protoc_gen_zitadel/v2/options_pb.js";
import type { Logger } from "../../log.js";
import type { Request, Response } from "../handler.js";
import { restError, restFailure, type RestError } from "./errors.js";
import { matchPath, parsePathTemplate, type PathTemplate } from "./path-template.js";
import { BadRestRequest, requestJson } from "./request-json.js";

interface RestRoute {
  verb: string;
  template: PathTemplate;
  bodyField: string;
  successCode: number;
  method: DescMethod;
  handler: UniversalHandler;
}

interface RestGatewayOptions {
  maxRequestBytes: number;
  contextValues: (req: Request) => ContextValues;
  log: Logger;
}

/**
 * Serves every method that has a google.api.http rule at its REST path, as grpc-gateway would:
 * the call is made into the method's request message and handed to the same Connect handler
 * (interceptors, authentication, rate limits and all) as a Connect JSON call; the answer goes
 * back as JSON with the method's success status, or as grpc-gateway's error body. Nothing here
 * knows a method by name: a newly annotated method is served as it is.
 *
 * Returns a handler that answers and returns true when the path is one of the REST paths.
 */
export function createRestGateway(handlers: readonly UniversalHandler[], o: RestGatewayOptions): (req: Request, res: Response) => boolean {
  const routes = handlers.flatMap(routesOf);
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const matching = routes.map((route) => ({ route, path: matchPath(route.template, url.pathname) })).filter((m) => m.path !== null);
    if (matching.length === 0) return false;
    const chosen = matching.find((m) => m.route.verb === req.method?.toLowerCase());
    if (chosen === undefined) {
      const allowed = [...new Set(matching.map((m) => m.route.verb.toUpperCase()))].join(", ");
      send(res, { ...restFailure(Code.Unimplemented, "Method Not Allowed"), status: 405 }, { allow: allowed });
      return true;
    }
    serve(chosen.route, chosen.path!, url.searchParams, req, res, o).catch((error: unknown) => {
      o.log.error("REST call failed", { procedure: chosen.route.method.name, error: error instanceof Error ? error.message : "unknown" });
      if (!res.headersSent) send(res, restFailure(Code.Internal, "internal error"));
      else res.destroy();
    });
    return true;
  };
}

function routesOf(handler: UniversalHandler): RestRoute[] {
  if (!hasOption(handler.method, http)) return [];
  const rule = getOption(handler.method, http);
  const successCode = hasOption(handler.method, options) ? getOption(handler.method, options).httpResponse?.successCode || 200 : 200;
  return [rule, ...rule.additionalBindings].flatMap((binding) => {
    const { pattern } = binding;
    if (pattern.case === undefined) return [];
    const [verb, path] = pattern.case === "custom" ? [pattern.value.kind.toLowerCase(), pattern.value.path] : [pattern.case, pattern.value];
    return [{ verb, template: parsePathTemplate(path), bodyField: binding.body, successCode, method: handler.method, handler }];
  });
}

async function serve(
  route: RestRoute,
  path: Map<string, string>,
  query: URLSearchParams,
  req: Request,
  res: Response,
  o: RestGatewayOptions,
): Promise<void> {
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    send(res, restFailure(Code.InvalidArgument, "compressed request bodies are not accepted on REST paths"));
    return;
  }
  const raw = await readBody(req, o.maxRequestBytes);
  // A form or text/plain body is what any web page can make a browser send without a preflight.
  if ((raw !== null && raw.length > 0) || req.headers["content-type"] !== undefined) {
    if (!isJson(req.headers["content-type"])) {
      send(res, { ...restFailure(Code.InvalidArgument, "request bodies must be JSON (content-type: application/json)"), status: 415 });
      return;
    }
  }
  if (raw === null) {
    send(res, restFailure(Code.ResourceExhausted, `the request is larger than ${o.maxRequestBytes} bytes`));
    return;
  }
  let request: JsonValue;
  try {
    const body = raw.length === 0 ? undefined : (JSON.parse(raw.toString("utf8")) as JsonValue);
    const json = requestJson(route.method.input, route.bodyField, body, path, query);
    request = toJson(route.method.input, fromJson(route.method.input, json, { ignoreUnknownFields: true }));
  } catch (error) {
    const reason = error instanceof BadRestRequest ? error.message : "the request is not valid JSON for this method";
    send(res, restFailure(Code.InvalidArgument, reason));
    return;
  }

  const aborted = new AbortController();
  res.once("close", () => aborted.abort());
  const header = new Headers({ "content-type": "application/json" });
  for (const name of ["authorization", "user-agent"]) {
    const value = req.headers[name];
    if (typeof value === "string") header.set(name, value);
  }
  const answer = await route.handler({
    httpVersion: req.httpVersion,
    url: `http://localhost${route.handler.requestPath}`,
    method: "POST",
    header,
    body: request,
    signal: aborted.signal,
    contextValues: o.contextValues(req).set(viaRestKey, true),
  });
  const bytes = await bodyOf(answer);
  if (answer.status === 200) {
    res.writeHead(route.successCode, { "content-type": "application/json" });
    res.end(bytes);
    return;
  }
  send(res, restError(errorFromJsonBytes(bytes, undefined, new ConnectError("internal error", Code.Internal))));
}

/** application/json, in UTF-8 if a charset is named (as the Connect paths take it). */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  return parameters.every((p) => !p.startsWith("charset=") || /^charset="?utf-8"?$/.test(p));
}

function send(res: Response, error: RestError, headers: Record<string, string> = {}): void {
  res.writeHead(error.status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(error.body));
}

/** The whole body, or null when it is longer than `limit`. */
async function readBody(req: Request, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function bodyOf(answer: UniversalServerResponse): Promise<Uint8Array> {
  if (answer.body === undefined) return new Uint8Array(0);
  if (answer.body instanceof Uint8Array) return answer.body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of answer.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
