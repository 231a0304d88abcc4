import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { StoredEvent } from "../../store/events.js";
import type { AppContext } from "../shared/context.js";

/**
 * Fields the audit trail never shows: password hashes, code and token digests, sealed values, and
 * what a link's code is computed from.
 */
const HIDDEN_FIELD = /hash|digest|sealed|secret|token|^linkId$/i;

interface EventQuery {
  /** One aggregate's events; otherwise the whole log. */
  aggregateId?: string;
  /** The position of the last event read; 0 from the start. */
  afterPosition: number;
  limit: number;
}

/** Events as the audit trail shows them, their payloads without any secret. */
export async function listEvents(app: Pick<AppContext, "store">, query: EventQuery): Promise<StoredEvent[]> {
  const { store } = app;
  const events =
    query.aggregateId !== undefined
      ? await store.readAggregateEvents(query.aggregateId, query.afterPosition, query.limit)
      : await store.readEventsAfter(await store.cursorAt(query.afterPosition), query.limit);
  return events.map((event) => ({ ...event, payload: withoutSecrets(event.payload as JsonObject) }));
}

function withoutSecrets(value: JsonObject): JsonObject {
  const kept: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!HIDDEN_FIELD.test(key)) kept[key] = cleaned(inner);
  }
  return kept;
}

function cleaned(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(cleaned);
  if (value !== null && typeof value === "object") return withoutSecrets(value);
  return value;
}
