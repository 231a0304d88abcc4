import type { ServiceImpl } from "@connectrpc/connect";
import type { AppContext } from "../app/shared/context.js";
import { requestPasswordReset } from "../app/password-reset/request-password-reset.js";
import { getOpenPasswordReset, getPasswordResetRequest } from "../app/password-reset/get-password-reset-request.js";
import type { CodeMedium } from "../domain/password-code.js";
import { invalidArgument } from "../domain/errors.js";
import { checkLoginName, loginNameKey, Violations } from "../domain/user-input.js";
import { PasswordService, ResetChannel, ResetRequestState } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { requirePermission } from "./auth.js";
import { timestamp } from "./details.js";
import { limitPublicCall, type AnonymousLimits } from "./rate-limit.js";
import { LONGEST_CODE, requireUserId } from "./user-mapping.js";

const CHANNELS: Record<CodeMedium, ResetChannel> = {
  email: ResetChannel.EMAIL,
  sms: ResetChannel.SMS,
  returned: ResetChannel.RETURNED,
};

export function passwordService(app: AppContext, limits: AnonymousLimits): ServiceImpl<typeof PasswordService> {
  return {
    async requestPasswordReset(req, ctx) {
      // Sizes first: nothing a caller sends is counted or looked up before it is known to be small.
      new Violations().tap((v) => checkLoginName(v, "login_name", req.loginName)).throwIfAny();
      await limitPublicCall(ctx, limits, `login:${loginNameKey(req.loginName)}`);
      requestPasswordReset(app, req.loginName, req.urlTemplate);
      return {};
    },

    async getPasswordResetRequest(req, ctx) {
      const userId = requireUserId(req.userId);
      if (req.verificationCode === "") throw invalidArgument([{ field: "verification_code", description: "is required" }]);
      // The same budget as redeeming a code for this user.
      await limitPublicCall(ctx, limits, `user:${userId}`);
      const view =
        req.verificationCode.length > LONGEST_CODE
          ? ({ state: "invalid" } as const)
          : await getPasswordResetRequest(app, userId, req.verificationCode);
      if (view.state === "invalid") return { state: ResetRequestState.INVALID };
      return {
        state: view.state === "valid" ? ResetRequestState.VALID : ResetRequestState.EXPIRED,
        expiresAt: timestamp(view.expiresAt),
        channel: CHANNELS[view.medium],
        displayName: view.displayName,
        maskedLoginName: view.maskedLoginName,
      };
    },

    async getOpenPasswordReset(req, ctx) {
      const userId = requireUserId(req.userId);
      requirePermission(ctx, "user.read");
      const code = await getOpenPasswordReset(app, userId);
      if (code === null) return {};
      return {
        reset: {
          createdAt: timestamp(code.createdAt),
          expiresAt: timestamp(code.expiresAt),
          channel: CHANNELS[code.medium],
          failedAttempts: code.failedAttempts,
          sentAt: timestamp(code.sentAt),
        },
      };
    },
  };
}
