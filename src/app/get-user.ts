import { userNotFound, type UserState } from "../domain/user.js";
import type { AppContext } from "./context.js";

export async function getUser(ctx: AppContext, userId: string): Promise<UserState> {
  const state = await ctx.store.users.get(userId);
  if (state === null) throw userNotFound();
  return state;
}
