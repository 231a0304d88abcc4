import { type UserState } from "../../domain/user.js";
import { userNotFound } from "../../domain/user-commands.js";
import type { AppContext } from "../shared/context.js";

export async function getUserById(app: Pick<AppContext, "store">, userId: string): Promise<UserState> {
  const state = await app.store.users.get(userId);
  if (state === null) throw userNotFound();
  return state;
}
