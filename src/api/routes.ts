import type { ConnectRouter } from "@connectrpc/connect";
import type { AppContext } from "../app/context.js";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { healthService } from "./health-service.js";
import { userService } from "./user-service.js";

export function routes(app: AppContext, isServing: () => boolean) {
  return (router: ConnectRouter) => {
    router.service(UserService, userService(app));
    router.service(Health, healthService(isServing, [UserService.typeName]));
  };
}
