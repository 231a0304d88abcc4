import { evolveApiToken, type ApiTokenEvent, type ApiTokenState } from "../../domain/api-token.js";
import { evolveOrg, type OrgEvent, type OrgState } from "../../domain/org.js";
import { evolveSession, type SessionEvent, type SessionState } from "../../domain/session.js";
import { loginNamesOf } from "../../domain/user-input.js";
import { evolve, type RecordedEvent, type UserEvent, type UserState } from "../../domain/user.js";
import type { AppendBatch, EventToAppend } from "../../store/events.js";
import type { Store, Tables } from "../../store/store.js";
import type { Actor } from "./context.js";

/** What the store needs to know of one kind of aggregate: how its events fold, where its state lives. */
export interface Aggregate<S, E extends EventToAppend> {
  type: string;
  evolve(state: S | null, recorded: RecordedEvent<E>): S;
  load(tables: Tables, id: string): Promise<S | null>;
  /** The organization (or the installation) that owns an existing aggregate. */
  ownerOf(state: S): string;
  /** Writes the state the events led to (and anything they claim), in the append's transaction. */
  project(tx: Tables, state: S, events: readonly E[]): Promise<void>;
}

export const USERS: Aggregate<UserState, UserEvent> = {
  type: "user",
  evolve,
  load: (tables, id) => tables.users.get(id),
  ownerOf: (state) => state.orgId,
  async project(tx, state, events) {
    await tx.users.save(state);
    for (const event of events) {
      if (event.type === "user.human.added") await tx.users.claim(state.userId, loginNamesOf(event.username, event.email));
    }
  },
};

export const SESSIONS: Aggregate<SessionState, SessionEvent> = {
  type: "session",
  evolve: evolveSession,
  load: (tables, id) => tables.sessions.get(id),
  ownerOf: (state) => state.orgId,
  project: (tx, state) => tx.sessions.save(state),
};

export const ORGS: Aggregate<OrgState, OrgEvent> = {
  type: "org",
  evolve: evolveOrg,
  load: (tables, id) => tables.orgs.byId(id),
  ownerOf: (state) => state.orgId,
  project: (tx, state) => tx.orgs.save(state),
};

export const API_TOKENS: Aggregate<ApiTokenState, ApiTokenEvent> = {
  type: "api_token",
  evolve: evolveApiToken,
  load: (tables, id) => tables.tokens.get(id),
  ownerOf: () => TOKEN_OWNER,
  project: (tx, state) => tx.tokens.save(state),
};

/** API tokens belong to the installation, not to an organization. */
export const TOKEN_OWNER = "instance";

/** Every aggregate by its stored type: the rebuild replays through these. */
export const AGGREGATES: ReadonlyMap<string, Aggregate<unknown, EventToAppend>> = new Map(
  [USERS, SESSIONS, ORGS, API_TOKENS].map((a) => [a.type, a as unknown as Aggregate<unknown, EventToAppend>]),
);

interface AppendRequest<S, E> {
  id: string;
  owner: string;
  actor: Actor;
  /** The state the events were decided on (its sequence is the one expected), or null for a new aggregate. */
  state: (S & { sequence: number }) | null;
  events: readonly E[];
  createdAt: number;
  /** More that must land with the events (outbox rows), given the state they lead to. */
  alsoInTransaction?: (tx: Tables, next: S) => Promise<void>;
}

/**
 * Appends one aggregate's events after the sequence they were decided on and projects the state
 * they lead to, in one transaction. Throws ConcurrencyError when another write came first.
 */
export async function appendEvents<S, E extends EventToAppend>(
  store: Pick<Store, "append">,
  aggregate: Aggregate<S, E>,
  request: AppendRequest<S, E>,
): Promise<S> {
  const next = stateAfter(aggregate, request, request.state);
  await store.append(batchOf(aggregate, request, request.state?.sequence ?? 0), async (tx) => {
    await aggregate.project(tx, next, request.events);
    await request.alsoInTransaction?.(tx, next);
  });
  return next;
}

/**
 * Appends the first events of new aggregates and projects their states, all in one transaction
 * (bulk import). Throws ConcurrencyError when any of them exists by then, or what a projection
 * throws (a login name taken): then nothing is written.
 */
export async function appendNew<S, E extends EventToAppend>(
  store: Pick<Store, "appendAll">,
  aggregate: Aggregate<S, E>,
  requests: ReadonlyArray<NewEvents<S, E>>,
): Promise<S[]> {
  const states = requests.map((request) => stateAfter(aggregate, request, null));
  await store.appendAll(
    requests.map((request) => batchOf(aggregate, request, 0)),
    async (tx) => {
      for (const [i, state] of states.entries()) await aggregate.project(tx, state, requests[i]!.events);
    },
  );
  return states;
}

type NewEvents<S, E> = Omit<AppendRequest<S, E>, "state" | "alsoInTransaction">;

/** The state the events lead to from `from` (null for a new aggregate). */
function stateAfter<S, E extends EventToAppend>(
  aggregate: Aggregate<S, E>,
  request: NewEvents<S, E>,
  from: (S & { sequence: number }) | null,
): S {
  const { id, owner, createdAt } = request;
  const expectedSequence = from?.sequence ?? 0;
  return request.events.reduce<S | null>(
    (state, event, i) => aggregate.evolve(state, { event, aggregateId: id, owner, sequence: expectedSequence + i + 1, createdAt }),
    from,
  )!;
}

function batchOf<S, E extends EventToAppend>(aggregate: Aggregate<S, E>, request: NewEvents<S, E>, expectedSequence: number): AppendBatch {
  return {
    aggregateType: aggregate.type,
    aggregateId: request.id,
    owner: request.owner,
    creator: request.actor.id,
    expectedSequence,
    createdAt: request.createdAt,
    events: request.events,
  };
}
