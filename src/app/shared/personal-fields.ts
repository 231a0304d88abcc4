import type { UserState } from "../../domain/user.js";

/** How a message addresses the user. */
export function personalFields(user: UserState): { name: string; username: string } {
  return { name: user.profile.displayName ?? user.profile.givenName, username: user.username };
}
