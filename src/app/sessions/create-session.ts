import { generateId, generateToken } from "../../crypto/codes.js";
import type { SessionEvent, SessionState } from "../../domain/session.js";
import type { UserState } from "../../domain/user.js";
import { SESSIONS } from "../shared/aggregates.js";
import { handleCommand } from "../shared/command-handler.js";
import type { Actor, AppContext } from "../shared/context.js";
import { sessionTokenDigest } from "../shared/digests.js";
import type { UserLookup } from "../users/find-user.js";
import { checkLoginPassword } from "./check-password.js";

interface CreateSessionInput {
  user: UserLookup;
  password: string;
  /** Asked-for lifetime; never longer than the configured one. */
  lifetimeMs?: number;
}

export async function createSession(
  app: Pick<AppContext, "clock" | "dummyHash" | "hasher" | "keys" | "metrics" | "nameFailures" | "settings" | "store" | "userLocks">,
  input: CreateSessionInput,
  actor: Actor,
): Promise<{ session: SessionState; token: string }> {
  const user = await checkLoginPassword(app, input.user, input.password, actor);
  const now = app.clock();
  const token = generateToken();
  const lifetime = Math.min(input.lifetimeMs ?? app.settings.sessionLifetimeMs, app.settings.sessionLifetimeMs);
  const event: SessionEvent = {
    type: "session.added",
    userId: user.userId,
    loginName: user.username,
    displayName: displayNameOf(user),
    tokenDigest: sessionTokenDigest(app.keys, token),
    expiresAt: now + lifetime,
    passwordVersion: user.passwordVersion,
    userCheckedAt: now,
    passwordCheckedAt: now,
  };
  const session = await handleCommand(
    app.store,
    SESSIONS,
    generateId(),
    actor,
    () => now,
    () => ({ events: [event], owner: user.orgId }),
  );
  return { session, token };
}

function displayNameOf(user: UserState): string {
  return user.profile.displayName ?? `${user.profile.givenName} ${user.profile.familyName}`;
}
