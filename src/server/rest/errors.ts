import { fromBinary, toJson, type DescMessage, type JsonObject } from "@bufbuild/protobuf";
import { Code, type ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../../gen/google/rpc/error_details_pb.js";
import { CredentialsCheckErrorSchema } from "../../../gen/zitadel/message_pb.js";

/** grpc-gateway's HTTP status for each gRPC code (runtime.HTTPStatusFromCode). */
const HTTP_STATUS: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

/** The detail messages our errors carry, by type name. */
const DETAIL_SCHEMAS = new Map<string, DescMessage>(
  [ErrorInfoSchema, BadRequestSchema, CredentialsCheckErrorSchema].map((schema) => [schema.typeName, schema]),
);

export interface RestError {
  status: number;
  body: JsonObject;
}

/** An error as grpc-gateway writes it: `{code, message, details: [{"@type": …, …}]}`. */
export function restError(error: ConnectError): RestError {
  const details: JsonObject[] = [];
  for (const detail of error.details) {
    const type = "desc" in detail ? detail.desc.typeName : detail.type;
    const schema = DETAIL_SCHEMAS.get(type);
    if (schema === undefined) continue;
    const message = "desc" in detail ? detail.value : fromBinary(schema, detail.value);
    details.push({ "@type": `type.googleapis.com/${type}`, ...(toJson(schema, message as never) as JsonObject) });
  }
  return { status: HTTP_STATUS[error.code] ?? 500, body: { code: error.code, message: error.rawMessage, details } };
}

/** The answer for a REST request that never reached a method. */
export function restFailure(code: Code, message: string): RestError {
  return { status: HTTP_STATUS[code], body: { code, message, details: [] } };
}
