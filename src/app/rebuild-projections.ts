import { loginNamesOf } from "../domain/user-input.js";
import { evolveOrg, type OrgEvent } from "../domain/org.js";
import { evolveSession, type SessionEvent } from "../domain/session.js";
import { evolve, type UserEvent } from "../domain/user.js";
import type { StoredEvent } from "../store/event-store.js";
import { PROJECTION_TABLES, PROJECTION_VERSION, type Store } from "../store/store.js";
import { ORG_AGGREGATE } from "./bootstrap.js";
import { SESSION_AGGREGATE } from "./sessions.js";
import { USER_AGGREGATE } from "./write-user.js";

const PROJECTION_VERSION_KEY = "projection_version";

/** Rebuilds the projections when this code reads them differently from the code that wrote them. */
export function ensureProjectionsCurrent(store: Store): number | null {
  if (store.settings.get(PROJECTION_VERSION_KEY) === String(PROJECTION_VERSION)) return null;
  return store.transaction(() => {
    const events = rebuildProjections(store);
    store.settings.set(PROJECTION_VERSION_KEY, String(PROJECTION_VERSION));
    return events;
  });
}

/** Drops every projection and replays all events into it, in one transaction. Returns the events replayed. */
export function rebuildProjections(store: Store): number {
  return store.transaction(() => {
    for (const table of PROJECTION_TABLES) store.db.exec(`DELETE FROM ${table}`);
    let count = 0;
    for (const stored of store.events.readAll()) {
      applyEvent(store, stored);
      count++;
    }
    return count;
  });
}

function applyEvent(store: Store, stored: StoredEvent): void {
  const recorded = { aggregateId: stored.aggregateId, owner: stored.owner, sequence: stored.sequence, createdAt: stored.createdAt };
  const fields = { type: stored.type, ...stored.payload };
  if (stored.aggregateType === USER_AGGREGATE) {
    const event = fields as UserEvent;
    const state = evolve(store.users.get(stored.aggregateId), { ...recorded, event });
    store.users.save(state);
    if (event.type === "user.human.added") {
      store.users.claim(state.userId, loginNamesOf(event.username, event.email));
    }
  } else if (stored.aggregateType === SESSION_AGGREGATE) {
    store.sessions.save(evolveSession(store.sessions.get(stored.aggregateId), { ...recorded, event: fields as SessionEvent }));
  } else if (stored.aggregateType === ORG_AGGREGATE) {
    store.orgs.save(evolveOrg(store.orgs.byId(stored.aggregateId), { ...recorded, event: fields as OrgEvent }));
  } else {
    throw new Error(`no projection for aggregate type ${stored.aggregateType}`);
  }
}
