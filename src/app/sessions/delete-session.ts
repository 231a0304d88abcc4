import { sessionNotFound, type SessionState } from "../../domain/session.js";
import { SESSIONS } from "../shared/aggregates.js";
import { handleCommand } from "../shared/command-handler.js";
import type { Actor, AppContext } from "../shared/context.js";
import { isActive } from "./get-session.js";

/** Ends a session once: of concurrent deletes, one ends it and the others find it gone. */
export function deleteSession(
  app: Pick<AppContext, "clock" | "settings" | "store">,
  sessionId: string,
  actor: Actor,
): Promise<SessionState> {
  return handleCommand(app.store, SESSIONS, sessionId, actor, app.clock, async (session) => {
    if (session === null || !(await isActive(app, session))) return { events: [], error: sessionNotFound() };
    return { events: [{ type: "session.terminated" }] };
  });
}
