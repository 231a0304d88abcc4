import { decide, type UserState } from "../domain/user.js";
import type { Actor, AppContext } from "./context.js";
import { writeUser } from "./write-user.js";

export function lockUser(ctx: AppContext, userId: string, actor: Actor): Promise<UserState> {
  return writeUser(ctx, userId, actor, async (state, now) => decide({ type: "LockUser" }, state, now));
}

export function unlockUser(ctx: AppContext, userId: string, actor: Actor): Promise<UserState> {
  return writeUser(ctx, userId, actor, async (state, now) => decide({ type: "UnlockUser", lockout: ctx.settings.lockout }, state, now));
}
