import { fromBinary, fromJson, toJson, type DescMethod, type DescService, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { CODE_NAMES, decodeDetails, type CallError } from "./errors.js";
import { ROOT } from "./server.js";

export type Protocol = "grpc" | "grpc-web" | "connect-json";
export const PROTOCOLS: Protocol[] = ["grpc", "grpc-web", "connect-json"];

export type UserMethod =
  | "AddHumanUser"
  | "GetUserByID"
  | "ListUsers"
  | "SetPassword"
  | "PasswordReset"
  | "LockUser"
  | "UnlockUser"
  | "DeactivateUser"
  | "ReactivateUser";

/** A result in proto3 JSON form, or the error, whichever protocol carried it. */
export type CallResult = { ok: true; body: any } | { ok: false; error: CallError };

/** A client of one of our services, over one protocol; methods by their proto names. */
export interface RpcClient<M extends string = string> {
  protocol: Protocol;
  call(method: M, request: JsonObject, token?: string): Promise<CallResult>;
  close(): void;
}

export type UserClient = RpcClient<UserMethod>;

const TIMESTAMP_FIELDS = new Set([
  "changeDate",
  "creationDate",
  "passwordChanged",
  "expirationDate",
  "verifiedAt",
  "expiresAt",
  "createdAt",
  "sentAt",
  "timestamp",
]);

const DURATION_FIELDS = new Set(["lifetime"]);

/** proto-loader takes a google.protobuf.Duration as an object, where JSON has "1.5s". */
function durationsAsObjects(value: any): any {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => {
      if (!DURATION_FIELDS.has(key) || typeof v !== "string") return [key, durationsAsObjects(v)];
      const seconds = Number(v.replace(/s$/, ""));
      return [key, { seconds: Math.floor(seconds), nanos: Math.round((seconds % 1) * 1e9) }];
    }),
  );
}

/** Timestamps as epoch milliseconds in every protocol's result, so results compare equal. */
function normalizeTimestamps(value: any): any {
  if (Array.isArray(value)) return value.map(normalizeTimestamps);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (TIMESTAMP_FIELDS.has(key) && typeof v === "string") out[key] = Date.parse(v);
    else if (TIMESTAMP_FIELDS.has(key) && v && typeof v === "object") {
      const t = v as { seconds: string; nanos?: number };
      out[key] = Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
    } else out[key] = normalizeTimestamps(v);
  }
  return out;
}

function methodOf(service: DescService, name: string): DescMethod {
  const method = service.methods.find((m) => m.name === name);
  if (!method) throw new Error(`no method ${name}`);
  return method;
}

export function createRpcClient<M extends string = string>(protocol: Protocol, baseUrl: string, service: DescService): RpcClient<M> {
  switch (protocol) {
    case "grpc":
      return grpcJsClient(baseUrl, service);
    case "grpc-web":
      return grpcWebClient(baseUrl, service);
    case "connect-json":
      return connectJsonClient(baseUrl, service);
  }
}

export function createUserClient(protocol: Protocol, baseUrl: string): UserClient {
  return createRpcClient<UserMethod>(protocol, baseUrl, UserService);
}

/** A client for one describe block: connected before its tests, closed after them; `admin` is the server's admin token. */
export function clientFor<M extends string = UserMethod>(
  protocol: Protocol,
  server: () => { baseUrl: string; adminToken: string },
  service: DescService = UserService,
): RpcClient<M> & { readonly admin: string } {
  let inner: RpcClient<M> | undefined;
  beforeAll(() => {
    inner = createRpcClient<M>(protocol, server().baseUrl, service);
  });
  afterAll(() => inner?.close());
  return {
    protocol,
    call: (method, request, token) => inner!.call(method, request, token),
    close: () => inner?.close(),
    get admin() {
      return server().adminToken;
    },
  };
}

/** @grpc/grpc-js with our protos loaded by @grpc/proto-loader: a plain gRPC backend client. */
function grpcJsClient(baseUrl: string, service: DescService): RpcClient<any> {
  const definition = protoLoader.loadSync(`${service.file.name}.proto`, {
    includeDirs: [join(ROOT, "proto")],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: false,
  });
  const packages = grpc.loadPackageDefinition(definition) as any;
  const Client = service.typeName.split(".").reduce((scope, name) => scope[name], packages) as grpc.ServiceClientConstructor;
  const client = new Client(new URL(baseUrl).host, grpc.credentials.createInsecure()) as any;
  return {
    protocol: "grpc",
    call(method, request, token) {
      const metadata = new grpc.Metadata();
      if (token) metadata.set("authorization", `Bearer ${token}`);
      return new Promise((resolve) => {
        client[method](durationsAsObjects(request), metadata, (error: grpc.ServiceError | null, response: unknown) => {
          if (!error) return resolve({ ok: true, body: normalizeTimestamps(response) });
          const raw = error.metadata?.get("grpc-status-details-bin")[0];
          const details = raw ? fromBinary(StatusSchema, raw as Buffer).details.map((a) => ({ type: a.typeUrl, value: a.value })) : [];
          resolve({ ok: false, error: decodeDetails(CODE_NAMES[error.code] ?? "unknown", error.details, details) });
        });
      });
    },
    close: () => client.close(),
  };
}

/** A Connect-ES client over the gRPC-web protocol on HTTP/1.1, as a browser frontend talks. */
function grpcWebClient(baseUrl: string, service: DescService): RpcClient<any> {
  const transport: Transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
  const client = createClient(service, transport) as any;
  return {
    protocol: "grpc-web",
    async call(method, request, token) {
      const desc = methodOf(service, method);
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      try {
        const response = await client[desc.localName](fromJson(desc.input, request), { headers });
        return { ok: true, body: normalizeTimestamps(toJson(desc.output, response)) };
      } catch (e) {
        const error = ConnectError.from(e);
        return { ok: false, error: decodeDetails(CODE_NAMES[error.code] ?? "unknown", error.rawMessage, error.details as any) };
      }
    },
    close: () => undefined,
  };
}

/** Plain fetch with the Connect protocol and JSON bodies, as curl or a script would. */
function connectJsonClient(baseUrl: string, service: DescService): RpcClient<any> {
  return {
    protocol: "connect-json",
    async call(method, request, token) {
      const response = await fetch(`${baseUrl}/${service.typeName}/${method}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "connect-protocol-version": "1",
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(request),
      });
      const body = (await response.json()) as any;
      if (response.ok) return { ok: true, body: normalizeTimestamps(body) };
      const details = ((body.details ?? []) as Array<{ type: string; value: string }>).map((d) => ({
        type: d.type,
        value: new Uint8Array(Buffer.from(d.value, "base64")),
      }));
      return { ok: false, error: decodeDetails(body.code, body.message ?? "", details) };
    },
    close: () => undefined,
  };
}

export type { JsonObject, JsonValue };
