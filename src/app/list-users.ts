import type { UserSearch } from "../domain/user-search.js";
import type { UserState } from "../domain/user.js";
import type { AppContext } from "./context.js";

export interface UserPage {
  total: number;
  users: UserState[];
  /** When the search ran: what "locked" was judged at. */
  at: number;
}

/** One page of the users a search finds; locks are judged as a login would judge them now. */
export async function listUsers(ctx: AppContext, search: UserSearch): Promise<UserPage> {
  const at = ctx.clock();
  const { total, users } = await ctx.store.users.search(search, ctx.settings.lockout, at);
  return { total, users, at };
}
