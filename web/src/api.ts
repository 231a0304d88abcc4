import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import type { ErrorReason } from "../../src/domain/errors.js";

/**
 * The API on this page's own origin. Calls that can be refused go over gRPC-web, which answers
 * a refusal with HTTP 200 and a grpc-status: the browser's console stays clean, where Connect's
 * 4xx answers are each logged as a failed load. The settings, which are never refused, come over
 * Connect's JSON, so a browser exercises both protocols.
 */
export function clients() {
  const options = { baseUrl: location.origin };
  const grpcWeb: Transport = createGrpcWebTransport(options);
  return {
    passwords: createClient(PasswordService, grpcWeb),
    users: createClient(UserService, grpcWeb),
    sessions: createClient(SessionService, grpcWeb),
    settings: createClient(SettingsService, createConnectTransport(options)),
  };
}

export interface Failure {
  /** Our ErrorInfo reason, as the server names it (LOGIN_FAILED, CODE_INVALID, …). */
  reason: ErrorReason | undefined;
  /** The fields the server refused, with its descriptions. */
  violations: Array<{ field: string; description: string }>;
  /** No answer came: the network, not the request. */
  lostConnection: boolean;
}

export function failureOf(error: unknown): Failure {
  const e = ConnectError.from(error);
  return {
    reason: e.findDetails(ErrorInfoSchema)[0]?.reason as ErrorReason | undefined,
    violations: e
      .findDetails(BadRequestSchema)
      .flatMap((b) => b.fieldViolations.map((v) => ({ field: v.field, description: v.description }))),
    lostConnection: e.code === Code.Unavailable || (e.code === Code.Unknown && e.findDetails(ErrorInfoSchema).length === 0),
  };
}
