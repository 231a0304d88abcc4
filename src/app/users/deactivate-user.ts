import { type UserState } from "../../domain/user.js";
import { decide } from "../../domain/user-commands.js";
import type { Actor, AppContext } from "../shared/context.js";
import { writeUser } from "../shared/write-user.js";

/** Ends the user's sessions and open codes; no login until reactivated (domain/user.ts). */
export function deactivateUser(
  app: Pick<AppContext, "clock" | "metrics" | "store" | "userLocks">,
  userId: string,
  actor: Actor,
): Promise<UserState> {
  return writeUser(app, userId, actor, async (state, now) => decide({ type: "DeactivateUser" }, state, now));
}

export function reactivateUser(
  app: Pick<AppContext, "clock" | "metrics" | "store" | "userLocks">,
  userId: string,
  actor: Actor,
): Promise<UserState> {
  return writeUser(app, userId, actor, async (state, now) => decide({ type: "ReactivateUser" }, state, now));
}
