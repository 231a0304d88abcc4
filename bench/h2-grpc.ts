// A lean gRPC client for load generation: requests encoded once, then each call is one HTTP/2
// stream carrying a prepared frame; only the grpc-status trailer is read. It leaves the cores to
// the server under test, where @grpc/grpc-js spends far more per call.
import { createRegistry, fromJson, toBinary, type JsonValue } from "@bufbuild/protobuf";
import http2 from "node:http2";
import { file_grpc_health_v1_health } from "../gen/grpc/health/v1/health_pb.js";
import { file_latchkey_password_v1_password_service } from "../gen/latchkey/password/v1/password_service_pb.js";
import { file_zitadel_session_v2_session_service } from "../gen/zitadel/session/v2/session_service_pb.js";
import { file_zitadel_settings_v2_settings_service } from "../gen/zitadel/settings/v2/settings_service_pb.js";
import { file_zitadel_user_v2_user_service } from "../gen/zitadel/user/v2/user_service_pb.js";

const registry = createRegistry(
  file_grpc_health_v1_health,
  file_latchkey_password_v1_password_service,
  file_zitadel_session_v2_session_service,
  file_zitadel_settings_v2_settings_service,
  file_zitadel_user_v2_user_service,
);

/** One length-prefixed gRPC message per request, in the protobuf JSON form the specs use. */
export function encodeRequests(service: string, method: string, requests: unknown[]): Buffer[] {
  const found = registry.getService(service)?.methods.find((m) => m.name === method);
  if (!found) throw new Error(`unknown method ${service}/${method}`);
  return requests.map((request) => {
    const message = toBinary(found.input, fromJson(found.input, request as JsonValue));
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    return frame;
  });
}

export function h2GrpcCaller(address: string, service: string, method: string, token?: string) {
  const session = http2.connect(`http://${address}`);
  const headers = {
    ":method": "POST",
    ":path": `/${service}/${method}`,
    "content-type": "application/grpc",
    te: "trailers",
    ...(token && { authorization: `Bearer ${token}` }),
  };
  return (frame: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const stream = session.request(headers);
      let status: string | undefined;
      let message: string | undefined;
      const read = (h: http2.IncomingHttpHeaders) => {
        status ??= h["grpc-status"] as string | undefined;
        message ??= h["grpc-message"] as string | undefined;
      };
      stream.on("response", read); // a trailers-only answer carries the status here
      stream.on("trailers", read);
      stream.on("data", () => {});
      stream.on("error", reject);
      stream.on("close", () => (status === "0" ? resolve() : reject(new Error(`grpc-status ${status}: ${message ?? ""}`))));
      stream.end(frame);
    });
}
