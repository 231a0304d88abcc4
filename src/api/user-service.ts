import { isLocked } from "../domain/lockout.js";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { addHumanUser } from "../app/users/add-human-user.js";
import type { Actor, AppContext } from "../app/shared/context.js";
import { getUserById } from "../app/users/get-user-by-id.js";
import { listUsers } from "../app/users/list-users.js";
import { userSearchFrom } from "./user-search-mapping.js";
import { lockUser, unlockUser } from "../app/users/lock-user.js";
import { deactivateUser, reactivateUser } from "../app/users/deactivate-user.js";
import { passwordReset } from "../app/password-reset/password-reset.js";
import { setPassword, type SetPasswordProof } from "../app/passwords/set-password.js";
import { UserService } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { actorOf, callerOf, requirePermission, requireSelfOrPermission } from "./auth.js";
import { timestamp, toDetails } from "./details.js";
import { limitPublicCall, type AnonymousLimits } from "./rate-limit.js";
import { addHumanUserInput, requireUserId, resetMedium, setPasswordProof, toUser } from "./user-mapping.js";

export function userService(app: AppContext, limits: AnonymousLimits): ServiceImpl<typeof UserService> {
  return {
    async addHumanUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      const state = await addHumanUser(app, addHumanUserInput(req), actor);
      return { userId: state.userId, details: toDetails(state) };
    },

    async listUsers(req, ctx) {
      requirePermission(ctx, "user.read");
      const search = userSearchFrom(req);
      const page = await listUsers(app, search);
      return {
        details: { totalResult: BigInt(page.total), timestamp: timestamp(page.at) },
        sortingColumn: req.sortingColumn,
        result: page.users.map((user) => toUser(user, isLocked(user, page.at, app.settings.lockout))),
      };
    },

    async getUserByID(req, ctx) {
      const userId = requireUserId(req.userId);
      requireSelfOrPermission(ctx, userId, "user.read");
      const state = await getUserById(app, userId);
      return { details: toDetails(state), user: toUser(state, isLocked(state, app.clock(), app.settings.lockout)) };
    },

    async setPassword(req, ctx) {
      const userId = requireUserId(req.userId);
      const proof = setPasswordProof(req);
      const actor = await setPasswordActor(ctx, userId, proof, limits);
      const newPassword = req.newPassword?.password ?? "";
      const state = await setPassword(app, { userId, newPassword, changeRequired: req.newPassword?.changeRequired ?? false, proof }, actor);
      return { details: toDetails(state) };
    },

    async passwordReset(req, ctx) {
      // Privileged only: a code returned to an anonymous caller would hand them the account.
      const actor = requirePermission(ctx, "user.password.reset");
      const { state, code } = await passwordReset(app, requireUserId(req.userId), resetMedium(req), actor);
      return { details: toDetails(state), verificationCode: code };
    },

    async lockUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      return { details: toDetails(await lockUser(app, requireUserId(req.userId), actor)) };
    },

    async unlockUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      return { details: toDetails(await unlockUser(app, requireUserId(req.userId), actor)) };
    },

    async deactivateUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      return { details: toDetails(await deactivateUser(app, requireUserId(req.userId), actor)) };
    },

    async reactivateUser(req, ctx) {
      const actor = requirePermission(ctx, "user.write");
      return { details: toDetails(await reactivateUser(app, requireUserId(req.userId), actor)) };
    },
  };
}

/** Who may set a password depends on the proof given. */
async function setPasswordActor(ctx: HandlerContext, userId: string, proof: SetPasswordProof, limits: AnonymousLimits): Promise<Actor> {
  const caller = callerOf(ctx);
  if (proof.kind === "verification_code") {
    // A code proves itself, so anyone may redeem one; the public is rate-limited.
    await limitPublicCall(ctx, limits, `user:${userId}`);
    return actorOf(caller);
  }
  if (proof.kind === "current_password") {
    const actor = requireSelfOrPermission(ctx, userId, "user.write");
    // Changed in a session of the user's own: that session survives the change.
    if (caller.kind === "user") proof.sessionId = caller.sessionId;
    return actor;
  }
  return requirePermission(ctx, "user.write");
}
