import { isLocked } from "../../domain/lockout.js";
import { isSessionActive, sessionNotFound, type SessionState } from "../../domain/session.js";
import type { AppContext } from "../shared/context.js";

/** An active session, or SESSION_NOT_FOUND for one that never was, expired, ended, or outlived its password. */
export async function getActiveSession(app: Pick<AppContext, "clock" | "settings" | "store">, sessionId: string): Promise<SessionState> {
  const session = await app.store.sessions.get(sessionId);
  if (session === null || !(await isActive(app, session))) throw sessionNotFound();
  return session;
}

/** Whether the session still holds: not expired or ended, and its user still active with the same password. */
export async function isActive(app: Pick<AppContext, "clock" | "settings" | "store">, session: SessionState): Promise<boolean> {
  const user = await app.store.users.get(session.userId);
  const now = app.clock();
  const holder = user && {
    passwordVersion: user.passwordVersion,
    keptSessionId: user.keptSessionId,
    locked: isLocked(user, now, app.settings.lockout),
  };
  return isSessionActive(session, holder, now);
}
