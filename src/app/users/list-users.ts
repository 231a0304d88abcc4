import type { UserSearch } from "../../domain/user-search.js";
import type { UserState } from "../../domain/user.js";
import type { AppContext } from "../shared/context.js";

interface UserPage {
  total: number;
  users: UserState[];
  /** When the search ran: what "locked" was judged at. */
  at: number;
}

/** One page of the users a search finds; locks are judged as a login would judge them now. */
export async function listUsers(app: Pick<AppContext, "clock" | "settings" | "store">, search: UserSearch): Promise<UserPage> {
  const at = app.clock();
  const { total, users } = await app.store.users.search(search, app.settings.lockout, at);
  return { total, users, at };
}
