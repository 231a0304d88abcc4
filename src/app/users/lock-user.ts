import { type UserState } from "../../domain/user.js";
import { decide } from "../../domain/user-commands.js";
import type { Actor, AppContext } from "../shared/context.js";
import { writeUser } from "../shared/write-user.js";

export function lockUser(
  app: Pick<AppContext, "clock" | "metrics" | "store" | "userLocks">,
  userId: string,
  actor: Actor,
): Promise<UserState> {
  return writeUser(app, userId, actor, async (state, now) => decide({ type: "LockUser" }, state, now));
}

export function unlockUser(
  app: Pick<AppContext, "clock" | "metrics" | "settings" | "store" | "userLocks">,
  userId: string,
  actor: Actor,
): Promise<UserState> {
  return writeUser(app, userId, actor, async (state, now) => decide({ type: "UnlockUser", lockout: app.settings.lockout }, state, now));
}
