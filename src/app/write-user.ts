import { DomainError } from "../domain/errors.js";
import { evolve, type Decision, type UserState } from "../domain/user.js";
import { ConcurrencyError } from "../store/event-store.js";
import type { Actor, AppContext } from "./context.js";

export const USER_AGGREGATE = "user";
const MAX_ATTEMPTS = 10;

export interface UserWrite extends Decision {
  /** The owning organization, for a user that does not exist yet. */
  owner?: string;
  /** More writes that must land with the events (login names, outbox rows). */
  inTransaction?: (state: UserState) => void;
}

/**
 * Load, decide, append with the expected sequence; on a concurrent write, decide again on fresh
 * state. This loop is what makes a reset code single-use when requests race. Writers in this
 * process queue per user first; the sequence check also holds against any other writer.
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
    const state = ctx.store.users.get(userId);
    const write = await plan(state, ctx.clock());
    if (write.events.length === 0) {
      if (write.error) throw write.error;
      if (state === null) throw new Error("a write without events on a missing user");
      return state;
    }
    const owner = state?.orgId ?? write.owner;
    if (owner === undefined) throw new Error("a new user needs an owner");
    const createdAt = ctx.clock();
    const expectedSequence = state?.sequence ?? 0;
    const next = write.events.reduce<UserState | null>(
      (s, event, i) => evolve(s, { event, aggregateId: userId, owner, sequence: expectedSequence + i + 1, createdAt }),
      state,
    )!;
    try {
      ctx.store.events.append(
        {
          aggregateType: USER_AGGREGATE,
          aggregateId: userId,
          owner,
          creator: actor.id,
          expectedSequence,
          createdAt,
          events: write.events,
        },
        () => {
          ctx.store.users.save(next);
          write.inTransaction?.(next);
        },
      );
    } catch (error) {
      if (error instanceof ConcurrencyError) continue;
      throw error;
    }
    if (write.error) throw write.error;
    return next;
  }
  throw new DomainError("CONCURRENT_MODIFICATION", "the user is being changed by other requests. Try again");
}
