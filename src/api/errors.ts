import { withProtoPaths } from "./field-paths.js";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.js";
import { CredentialsCheckErrorSchema } from "../../gen/zitadel/message_pb.js";
import { DomainError, type ErrorReason } from "../domain/errors.js";
import type { Logger } from "../log.js";
import { StoreUnavailableError } from "../store/sql.js";
import { clientIpKey } from "./rate-limit.js";

const ERROR_DOMAIN = "latchkey";

/** The one place a failure becomes a status code. */
const STATUS_BY_REASON: Record<ErrorReason, Code> = {
  INVALID_ARGUMENT: Code.InvalidArgument,
  PASSWORD_POLICY_VIOLATED: Code.InvalidArgument,
  PASSWORD_UNCHANGED: Code.InvalidArgument,
  PASSWORD_INVALID: Code.InvalidArgument,
  CODE_INVALID: Code.InvalidArgument,
  PASSWORD_NOT_SET: Code.FailedPrecondition,
  CODE_EXPIRED: Code.FailedPrecondition,
  PHONE_MISSING: Code.FailedPrecondition,
  USER_LOCKED: Code.FailedPrecondition,
  USER_NOT_LOCKED: Code.FailedPrecondition,
  USER_DEACTIVATED: Code.FailedPrecondition,
  USER_NOT_DEACTIVATED: Code.FailedPrecondition,
  EMAIL_NOT_VERIFIED: Code.FailedPrecondition,
  LOGIN_FAILED: Code.InvalidArgument,
  SESSION_NOT_FOUND: Code.NotFound,
  RATE_LIMITED: Code.ResourceExhausted,
  USER_NOT_FOUND: Code.NotFound,
  ORG_NOT_FOUND: Code.NotFound,
  USER_ID_TAKEN: Code.AlreadyExists,
  USERNAME_TAKEN: Code.AlreadyExists,
  EMAIL_TAKEN: Code.AlreadyExists,
  UNAUTHENTICATED: Code.Unauthenticated,
  PERMISSION_DENIED: Code.PermissionDenied,
  CONCURRENT_MODIFICATION: Code.Aborted,
};

/** The status code a refusal answers with. */
export function statusOf(error: DomainError): Code {
  return STATUS_BY_REASON[error.reason];
}

function toConnectError(error: DomainError): ConnectError {
  const details = [{ desc: ErrorInfoSchema, value: { reason: error.reason, domain: ERROR_DOMAIN } }];
  if (error.violations.length > 0) {
    details.push({ desc: BadRequestSchema, value: { fieldViolations: [...error.violations] } } as never);
  }
  if (error.failedAttempts !== undefined) {
    // As ZITADEL's credentials check reports it, so a login page can warn before the lockout.
    details.push({
      desc: CredentialsCheckErrorSchema,
      value: { id: error.reason, message: error.message, failedAttempts: error.failedAttempts },
    } as never);
  }
  return new ConnectError(error.message, statusOf(error), undefined, details);
}

/** One line per call: procedure, status and duration; never a request or response body. */
export function accessLogInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const procedure = `${req.service.typeName}/${req.method.name}`;
    log.debug("call started", { procedure });
    try {
      const res = await next(req);
      log.info("call", { procedure, code: "ok", ms: Math.round(performance.now() - started), client: req.contextValues.get(clientIpKey) });
      return res;
    } catch (error) {
      const code = error instanceof ConnectError ? Code[error.code] : "unknown";
      log.info("call", { procedure, code, ms: Math.round(performance.now() - started), client: req.contextValues.get(clientIpKey) });
      throw error;
    }
  };
}

/**
 * Domain errors become their status; anything unexpected is logged and answered as a bare
 * Internal error, so no stack, query or secret reaches the caller.
 */
export function errorInterceptor(log: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      if (error instanceof DomainError) throw toConnectError(withProtoPaths(error, req.method));
      if (error instanceof ConnectError) throw error;
      if (error instanceof StoreUnavailableError) {
        // The caller may try again: nothing was acknowledged, and the pool reconnects by itself.
        log.warn("database unavailable", { procedure: req.method.name, error: error.message });
        throw new ConnectError("the service is unavailable for a moment. Try again", Code.Unavailable);
      }
      log.error("unexpected error", {
        procedure: req.method.name,
        error: error instanceof Error ? `${error.name}: ${error.message}` : "unknown",
      });
      throw new ConnectError("internal error", Code.Internal);
    }
  };
}
