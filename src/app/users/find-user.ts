import { loginNameKey } from "../../domain/user-input.js";
import type { UserState } from "../../domain/user.js";
import type { AppContext } from "../shared/context.js";

export type UserLookup = { userId: string } | { loginName: string };

/** The user a login names, by id or by username or e-mail address (case-insensitive). */
export async function findUser(app: Pick<AppContext, "store">, lookup: UserLookup): Promise<UserState | null> {
  if ("userId" in lookup) return app.store.users.get(lookup.userId);
  const owner = await app.store.users.ownerOf(loginNameKey(lookup.loginName));
  return owner === null ? null : app.store.users.get(owner);
}
