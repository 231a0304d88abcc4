import { DomainError } from "../domain/errors.js";
import type { Decision, UserState } from "../domain/user.js";
import { ConcurrencyError } from "../store/events.js";
import type { Tables } from "../store/store.js";
import { appendEvents, USERS } from "./aggregates.js";
import type { Actor, AppContext } from "./context.js";

const MAX_ATTEMPTS = 10;

export interface UserWrite extends Decision {
  /** The owning organization, for a user that does not exist yet. */
  owner?: string;
  /** More writes that must land with the events (outbox rows). */
  inTransaction?: (tx: Tables, state: UserState) => Promise<void>;
}

/**
 * Load, decide, append with the expected sequence; on a concurrent write, decide again on fresh
 * state. This loop is what makes a reset code single-use when requests race, on one replica or
 * many: the database's key on the event sequence decides. Writers in this process also queue
 * per user first, so that losing writers seldom redo their work.
 */
export function writeUser(
  ctx: AppContext,
  userId: string,
  actor: Actor,
  plan: (state: UserState | null, now: number) => Promise<UserWrite>,
): Promise<UserState> {
  return ctx.userLocks.run(userId, () => decideAndAppend(ctx, userId, actor, plan));
}

async function decideAndAppend(
  ctx: AppContext,
  userId: string,
  actor: Actor,
  plan: (state: UserState | null, now: number) => Promise<UserWrite>,
): Promise<UserState> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const state = await ctx.store.users.get(userId);
    const write = await plan(state, ctx.clock());
    if (write.events.length === 0) {
      if (write.error) throw write.error;
      if (state === null) throw new Error("a write without events on a missing user");
      return state;
    }
    const owner = state?.orgId ?? write.owner;
    if (owner === undefined) throw new Error("a new user needs an owner");
    let next: UserState;
    try {
      next = await appendEvents(ctx.store, USERS, {
        id: userId,
        owner,
        actor,
        state,
        events: write.events,
        createdAt: ctx.clock(),
        ...(write.inTransaction && { alsoInTransaction: write.inTransaction }),
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) continue;
      throw error;
    }
    // Password lockouts are counted by name (name-failures.ts), for unknown names alike.
    for (const event of write.events) {
      if (event.type === "user.locked" && event.reason !== "too_many_password_attempts") ctx.metrics.lockedOut(event.reason);
    }
    if (write.error) throw write.error;
    return next;
  }
  throw new DomainError("CONCURRENT_MODIFICATION", "the user is being changed by other requests. Try again");
}
