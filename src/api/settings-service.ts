import type { ServiceImpl } from "@connectrpc/connect";
import type { AppContext } from "../app/shared/context.js";
import { INSTANCE_ID } from "../store/events.js";
import { ResourceOwnerType } from "../../gen/zitadel/settings/v2/settings_pb.js";
import { SettingsService } from "../../gen/zitadel/settings/v2/settings_service_pb.js";

/** The rules in force, for anyone: a login or sign-up page shows them before the user types. */
export function settingsService(app: AppContext): ServiceImpl<typeof SettingsService> {
  const details = { resourceOwner: INSTANCE_ID };
  return {
    getPasswordComplexitySettings() {
      const policy = app.settings.passwordPolicy;
      return {
        details,
        settings: {
          minLength: BigInt(policy.minLength),
          requiresUppercase: policy.requireUppercase,
          requiresLowercase: policy.requireLowercase,
          requiresNumber: policy.requireNumber,
          requiresSymbol: policy.requireSymbol,
          resourceOwnerType: ResourceOwnerType.INSTANCE,
        },
      };
    },
    getLockoutSettings() {
      return {
        details,
        settings: { maxPasswordAttempts: BigInt(app.settings.lockout.maxPasswordAttempts), resourceOwnerType: ResourceOwnerType.INSTANCE },
      };
    },
  };
}
