import type { ConnectRouter } from "@connectrpc/connect";
import type { AppContext } from "../app/shared/context.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { AuditService } from "../../gen/latchkey/audit/v1/audit_service_pb.js";
import { auditService } from "./audit-service.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { SessionService } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { UserImportService } from "../../gen/latchkey/user/v1/user_import_service_pb.js";
import { file_google_rpc_error_details } from "../../gen/google/rpc/error_details_pb.js";
import { file_zitadel_message } from "../../gen/zitadel/message_pb.js";
import { healthService } from "./health-service.js";
import { reflectionRoutes } from "./reflection-service.js";
import { passwordService } from "./password-service.js";
import type { AnonymousLimits } from "./rate-limit.js";
import { sessionService } from "./session-service.js";
import { settingsService } from "./settings-service.js";
import { userImportService } from "./user-import-service.js";
import { userService } from "./user-service.js";

/** The error details calls answer with: reflection describes them too, so clients can decode them. */
const ERROR_DETAIL_FILES = [file_google_rpc_error_details, file_zitadel_message];

export function routes(app: AppContext, limits: AnonymousLimits, isServing: () => Promise<boolean>, reflection: boolean) {
  const served = [UserService, SessionService, SettingsService, PasswordService, AuditService, UserImportService];
  return (router: ConnectRouter) => {
    if (reflection) reflectionRoutes([...served, Health], ERROR_DETAIL_FILES)(router);
    router.service(UserService, userService(app, limits));
    router.service(SessionService, sessionService(app, limits));
    router.service(SettingsService, settingsService(app));
    router.service(PasswordService, passwordService(app, limits));
    router.service(AuditService, auditService(app));
    router.service(UserImportService, userImportService(app));
    router.service(
      Health,
      healthService(
        isServing,
        served.map((s) => s.typeName),
      ),
    );
  };
}
