import type { ServiceImpl } from "@connectrpc/connect";
import type { AppContext } from "../app/context.js";
import { requestPublicPasswordReset } from "../app/public-password-reset.js";
import { checkLoginName, loginNameKey, Violations } from "../domain/user-input.js";
import { PasswordService } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { limitPublicCall, type AnonymousLimits } from "./rate-limit.js";

export function passwordService(app: AppContext, limits: AnonymousLimits): ServiceImpl<typeof PasswordService> {
  return {
    async requestPasswordReset(req, ctx) {
      // Sizes first: nothing a caller sends is counted or looked up before it is known to be small.
      new Violations().tap((v) => checkLoginName(v, "login_name", req.loginName)).throwIfAny();
      await limitPublicCall(ctx, limits, `login:${loginNameKey(req.loginName)}`);
      requestPublicPasswordReset(app, req.loginName, req.urlTemplate);
      return {};
    },
  };
}
