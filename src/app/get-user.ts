import { userNotFound, type UserState } from "../domain/user.js";
import type { AppContext } from "./context.js";

export function getUser(ctx: AppContext, userId: string): UserState {
  const state = ctx.store.users.get(userId);
  if (state === null) throw userNotFound();
  return state;
}
