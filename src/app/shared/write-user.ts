import type { UserEvent, UserState } from "../../domain/user.js";
import type { Decision } from "../../domain/user-commands.js";
import type { Tables } from "../../store/store.js";
import { USERS } from "./aggregates.js";
import { handleCommand } from "./command-handler.js";
import type { Actor, AppContext } from "./context.js";

export interface UserWrite extends Decision {
  /** The owning organization, for a user that does not exist yet. */
  owner?: string;
  /** More writes that must land with the events (outbox rows). */
  inTransaction?: (tx: Tables, state: UserState) => Promise<void>;
}

/**
 * A command on one user, through the one command handler (command-handler.ts). Writers in this
 * process also queue per user first, so that losing writers seldom redo their work.
 */
export function writeUser(
  app: Pick<AppContext, "clock" | "metrics" | "store" | "userLocks">,
  userId: string,
  actor: Actor,
  plan: (state: UserState | null, now: number) => Promise<UserWrite>,
): Promise<UserState> {
  return app.userLocks.run(userId, () =>
    handleCommand(app.store, USERS, userId, actor, app.clock, plan, (events) => countLocks(app, events)),
  );
}

/** Counts the locks among events just committed (for the metrics). */
export function countLocks(app: Pick<AppContext, "metrics">, events: readonly UserEvent[]): void {
  // Password lockouts are counted by name (sessions/name-failures.ts), for unknown names alike.
  for (const event of events) {
    if (event.type === "user.locked" && event.reason !== "too_many_password_attempts") app.metrics.lockedOut(event.reason);
  }
}
