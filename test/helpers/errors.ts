import { fromBinary } from "@bufbuild/protobuf";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { CredentialsCheckErrorSchema } from "../../gen/zitadel/message_pb.js";

/** What a caller sees of an error, the same whichever protocol carried it. */
export interface CallError {
  /** Connect's name for the status code, e.g. "invalid_argument". */
  code: string;
  message: string;
  violations: Array<{ field: string; description: string }>;
  reason?: string;
  domain?: string;
  /** From ZITADEL's CredentialsCheckError detail. */
  failedAttempts?: number;
}

export const CODE_NAMES = [
  "ok",
  "canceled",
  "unknown",
  "invalid_argument",
  "deadline_exceeded",
  "not_found",
  "already_exists",
  "permission_denied",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "out_of_range",
  "unimplemented",
  "internal",
  "unavailable",
  "data_loss",
  "unauthenticated",
];

export function decodeDetails(code: string, message: string, details: ReadonlyArray<{ type: string; value: Uint8Array }>): CallError {
  const error: CallError = { code, message, violations: [] };
  for (const detail of details) {
    const type = detail.type.replace(/^type\.googleapis\.com\//, "");
    if (type === "google.rpc.BadRequest") {
      for (const v of fromBinary(BadRequestSchema, detail.value).fieldViolations) {
        error.violations.push({ field: v.field, description: v.description });
      }
    } else if (type === "zitadel.v1.CredentialsCheckError") {
      error.failedAttempts = fromBinary(CredentialsCheckErrorSchema, detail.value).failedAttempts;
    } else if (type === "google.rpc.ErrorInfo") {
      const info = fromBinary(ErrorInfoSchema, detail.value);
      error.reason = info.reason;
      error.domain = info.domain;
    }
  }
  return error;
}
