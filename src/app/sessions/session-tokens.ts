import { digestsEqual } from "../../crypto/digest.js";
import type { SessionState } from "../../domain/session.js";
import type { AppContext } from "../shared/context.js";
import { sessionTokenDigest } from "../shared/digests.js";
import { isActive } from "./get-session.js";

/** The active session a bearer token belongs to, if any. */
export async function authenticateSessionToken(
  app: Pick<AppContext, "clock" | "keys" | "settings" | "store">,
  token: string,
): Promise<SessionState | null> {
  const digest = sessionTokenDigest(app.keys, token);
  const session = await app.store.sessions.byTokenDigest(digest);
  if (session === null || !digestsEqual(session.tokenDigest, digest)) return null;
  return (await isActive(app, session)) ? session : null;
}

export function sessionTokenMatches(app: Pick<AppContext, "keys">, session: SessionState, token: string): boolean {
  return digestsEqual(session.tokenDigest, sessionTokenDigest(app.keys, token));
}
