import type { StoredEvent } from "../../store/events.js";
import { PROJECTION_VERSION, type Store, type Tables } from "../../store/store.js";
import { AGGREGATES } from "../shared/aggregates.js";

const PROJECTION_VERSION_KEY = "projection_version";

/** Rebuilds the projections when this code reads them differently from the code that wrote them. */
export async function ensureProjectionsCurrent(store: Store): Promise<number | null> {
  if ((await store.settings.get(PROJECTION_VERSION_KEY)) === String(PROJECTION_VERSION)) return null;
  return store.exclusive(async (tx) => {
    // Another replica may have rebuilt them while this one waited for the lock.
    if ((await tx.settings.get(PROJECTION_VERSION_KEY)) === String(PROJECTION_VERSION)) return null;
    const events = await replayAll(tx);
    await tx.settings.set(PROJECTION_VERSION_KEY, String(PROJECTION_VERSION));
    return events;
  });
}

/** Drops every projection and replays all events into it, in one transaction. Returns the events replayed. */
export function rebuildProjections(store: Store): Promise<number> {
  return store.exclusive(replayAll);
}

/** Replays every event into emptied projections, in the caller's exclusive transaction. */
export async function replayAll(tx: Tables): Promise<number> {
  await tx.maintenance.holdWriters();
  await tx.maintenance.clearProjections();
  let count = 0;
  for await (const stored of tx.maintenance.allEvents()) {
    await applyEvent(tx, stored);
    count++;
  }
  return count;
}

async function applyEvent(tx: Tables, stored: StoredEvent): Promise<void> {
  const aggregate = AGGREGATES.get(stored.aggregateType);
  if (aggregate === undefined) throw new Error(`no projection for aggregate type ${stored.aggregateType}`);
  const event = { type: stored.type, ...stored.payload };
  const recorded = { event, aggregateId: stored.aggregateId, owner: stored.owner, sequence: stored.sequence, createdAt: stored.createdAt };
  await aggregate.project(tx, aggregate.evolve(await aggregate.load(tx, stored.aggregateId), recorded), [event]);
}
