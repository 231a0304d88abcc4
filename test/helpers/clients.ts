import { fromBinary, fromJson, toJson, type DescMethod, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { afterAll, beforeAll } from "vitest";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";
import { StatusSchema } from "../../gen/google/rpc/status_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { CODE_NAMES, decodeDetails, type CallError } from "./errors.js";
import { ROOT } from "./server.js";

export type Protocol = "grpc" | "grpc-web" | "connect-json";
export const PROTOCOLS: Protocol[] = ["grpc", "grpc-web", "connect-json"];

export type UserMethod = "AddHumanUser" | "GetUserByID" | "SetPassword" | "PasswordReset";

/** A result in proto3 JSON form, or the error, whichever protocol carried it. */
export type CallResult = { ok: true; body: any } | { ok: false; error: CallError };

export interface UserClient {
  protocol: Protocol;
  call(method: UserMethod, request: JsonObject, token?: string): Promise<CallResult>;
  close(): void;
}

const TIMESTAMP_FIELDS = new Set(["changeDate", "creationDate", "passwordChanged"]);

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

function methodOf(name: UserMethod): DescMethod {
  const method = UserService.methods.find((m) => m.name === name);
  if (!method) throw new Error(`no method ${name}`);
  return method;
}

export function createUserClient(protocol: Protocol, baseUrl: string): UserClient {
  switch (protocol) {
    case "grpc":
      return grpcJsClient(baseUrl);
    case "grpc-web":
      return grpcWebClient(baseUrl);
    case "connect-json":
      return connectJsonClient(baseUrl);
  }
}

/** A client for one describe block: connected before its tests, closed after them; `admin` is the server's admin token. */
export function clientFor(
  protocol: Protocol,
  server: () => { baseUrl: string; adminToken: string },
): UserClient & { readonly admin: string } {
  let inner: UserClient | undefined;
  beforeAll(() => {
    inner = createUserClient(protocol, server().baseUrl);
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
function grpcJsClient(baseUrl: string): UserClient {
  const definition = protoLoader.loadSync("zitadel/user/v2/user_service.proto", {
    includeDirs: [join(ROOT, "proto")],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: false,
  });
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const Client = pkg.zitadel.user.v2.UserService as typeof grpc.Client;
  const client = new Client(new URL(baseUrl).host, grpc.credentials.createInsecure()) as any;
  return {
    protocol: "grpc",
    call(method, request, token) {
      const metadata = new grpc.Metadata();
      if (token) metadata.set("authorization", `Bearer ${token}`);
      return new Promise((resolve) => {
        client[method](request, metadata, (error: grpc.ServiceError | null, response: unknown) => {
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
function grpcWebClient(baseUrl: string): UserClient {
  const transport: Transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
  const client = createClient(UserService, transport) as any;
  return {
    protocol: "grpc-web",
    async call(method, request, token) {
      const desc = methodOf(method);
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
function connectJsonClient(baseUrl: string): UserClient {
  return {
    protocol: "connect-json",
    async call(method, request, token) {
      const response = await fetch(`${baseUrl}/${UserService.typeName}/${method}`, {
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
