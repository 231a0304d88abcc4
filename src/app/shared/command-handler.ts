import { DomainError } from "../../domain/errors.js";
import { ConcurrencyError, type EventToAppend } from "../../store/events.js";
import type { Store, Tables } from "../../store/store.js";
import { appendEvents, type Aggregate } from "./aggregates.js";
import type { Actor } from "./context.js";

/** What a command decided: events to append, and the error to answer with once they are written. */
interface Planned<S, E> {
  events: readonly E[];
  error?: DomainError;
  /** The owning organization, for an aggregate that does not exist yet. */
  owner?: string;
  /** More writes that must land with the events (outbox rows), given the state they lead to. */
  inTransaction?: (tx: Tables, next: S) => Promise<void>;
}

/** Where a command loads its aggregate and appends to it: the store, or one transaction of it. */
export type CommandStore = Pick<Store, "append"> & Tables;

const MAX_ATTEMPTS = 10;

/**
 * The one write path for every aggregate (Emmett's handleCommand): load, decide, append with the
 * sequence the decision was made on; when another writer appended first, decide again on fresh
 * state. The database's key on the sequence decides who wins, on one replica or many, so a code
 * is redeemed once and a session ended once; a write that loses every attempt answers
 * CONCURRENT_MODIFICATION (Aborted), never an internal error.
 *
 * `plan` sees the current state (null when there is none yet) and returns what to append; with no
 * events, its error is thrown, or the state returned as it is.
 */
export async function handleCommand<S extends { sequence: number }, E extends EventToAppend>(
  store: CommandStore,
  aggregate: Aggregate<S, E>,
  id: string,
  actor: Actor,
  clock: () => number,
  plan: (state: S | null, now: number) => Planned<S, E> | Promise<Planned<S, E>>,
  /** Runs once the events are committed, before the decision's error (if any) is thrown. */
  afterCommit: (events: readonly E[], next: S) => void = () => undefined,
): Promise<S> {
  return retryOnConflict(`the ${aggregate.type}`, MAX_ATTEMPTS, async () => {
    const state = await aggregate.load(store, id);
    const planned = await plan(state, clock());
    if (planned.events.length === 0) {
      if (planned.error) throw planned.error;
      if (state === null) throw new Error(`a command on ${aggregate.type} ${id} decided nothing for an aggregate that does not exist`);
      return state;
    }
    const owner = state === null ? planned.owner : aggregate.ownerOf(state);
    if (owner === undefined) throw new Error(`a new ${aggregate.type} needs an owner`);
    let next: S;
    try {
      next = await appendEvents(store, aggregate, {
        id,
        owner,
        actor,
        state,
        events: planned.events,
        createdAt: clock(),
        ...(planned.inTransaction && { alsoInTransaction: planned.inTransaction }),
      });
    } catch (error) {
      if (error instanceof ConcurrencyError) return CONFLICT;
      throw error;
    }
    afterCommit(planned.events, next);
    if (planned.error) throw planned.error;
    return next;
  });
}

/** What a write attempt returns when another writer came first: decide again on fresh state. */
export const CONFLICT = Symbol("conflict");

/**
 * Runs `attempt` until no other writer came first, `attempts` times at most; then answers
 * CONCURRENT_MODIFICATION (Aborted, with a reason), never an internal error. Every read-decide-write
 * in app/ retries this one way: the command handler, and the per-name failure counts.
 */
export async function retryOnConflict<T>(what: string, attempts: number, attempt: () => Promise<T | typeof CONFLICT>): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const result = await attempt();
    if (result !== CONFLICT) return result;
  }
  throw new DomainError("CONCURRENT_MODIFICATION", `${what} is being changed by other requests. Try again`);
}

/** A store for commands run inside a transaction the caller already holds (an `exclusive` one). */
export function commandStoreIn(tx: Tables, appender: Pick<Store, "append">): CommandStore {
  return { ...tx, append: appender.append };
}
