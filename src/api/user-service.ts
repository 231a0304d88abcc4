import type { ServiceImpl } from "@connectrpc/connect";
import { addHumanUser } from "../app/add-human-user.js";
import type { AppContext } from "../app/context.js";
import { getUser } from "../app/get-user.js";
import { requestPasswordReset } from "../app/password-reset.js";
import { setPassword } from "../app/set-password.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { actorOf, callerOf, requirePermission } from "./auth.js";
import { toDetails } from "./details.js";
import { addHumanUserInput, requireUserId, resetMedium, setPasswordProof, toUser } from "./user-mapping.js";

export function userService(app: AppContext): ServiceImpl<typeof UserService> {
  return {
    async addHumanUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      const state = await addHumanUser(app, addHumanUserInput(req), actor);
      return { userId: state.userId, details: toDetails(state) };
    },

    getUserByID(req, ctx) {
      requirePermission(ctx, "user.read");
      const state = getUser(app, requireUserId(req.userId));
      return { details: toDetails(state), user: toUser(state) };
    },

    async setPassword(req, ctx) {
      const userId = requireUserId(req.userId);
      const proof = setPasswordProof(req);
      // A code proves itself; everything else needs a caller allowed to write users.
      const actor = proof.kind === "verification_code" ? actorOf(callerOf(ctx)) : requirePermission(ctx, "user.write");
      const state = await setPassword(
        app,
        { userId, newPassword: req.newPassword?.password ?? "", changeRequired: req.newPassword?.changeRequired ?? false, proof },
        actor,
      );
      return { details: toDetails(state) };
    },

    async passwordReset(req, ctx) {
      // Privileged only: a code returned to an anonymous caller would hand them the account.
      const actor = requirePermission(ctx, "user.password.reset");
      const { state, code } = await requestPasswordReset(app, requireUserId(req.userId), resetMedium(req), actor);
      return { details: toDetails(state), verificationCode: code };
    },
  };
}
