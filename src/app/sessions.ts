import { generateId, generateToken } from "../crypto/codes.js";
import { digestsEqual, keyedDigest } from "../crypto/digest.js";
import { evolveSession, isSessionActive, sessionNotFound, type SessionEvent, type SessionState } from "../domain/session.js";
import { isLocked } from "../domain/lockout.js";
import type { UserState } from "../domain/user.js";
import type { Actor, AppContext } from "./context.js";
import { checkLoginPassword, type UserLookup } from "./check-password.js";

export const SESSION_AGGREGATE = "session";

export interface CreateSessionInput {
  user: UserLookup;
  password: string;
  /** Asked-for lifetime; never longer than the configured one. */
  lifetimeMs?: number;
}

export async function createSession(
  ctx: AppContext,
  input: CreateSessionInput,
  actor: Actor,
): Promise<{ session: SessionState; token: string }> {
  const user = await checkLoginPassword(ctx, input.user, input.password, actor);
  const now = ctx.clock();
  const token = generateToken();
  const lifetime = Math.min(input.lifetimeMs ?? ctx.settings.sessionLifetimeMs, ctx.settings.sessionLifetimeMs);
  const event: SessionEvent = {
    type: "session.added",
    userId: user.userId,
    loginName: user.username,
    displayName: displayNameOf(user),
    tokenDigest: sessionTokenDigest(ctx, token),
    expiresAt: now + lifetime,
    passwordVersion: user.passwordVersion,
    userCheckedAt: now,
    passwordCheckedAt: now,
  };
  const session = appendSession(ctx, null, generateId(), user.orgId, event, actor, now);
  return { session, token };
}

/** An active session, or SESSION_NOT_FOUND for one that never was, expired, ended, or outlived its password. */
export function getActiveSession(ctx: AppContext, sessionId: string): SessionState {
  const session = ctx.store.sessions.get(sessionId);
  if (session === null || !isActive(ctx, session)) throw sessionNotFound();
  return session;
}

export function deleteSession(ctx: AppContext, sessionId: string, actor: Actor): SessionState {
  const session = getActiveSession(ctx, sessionId);
  return appendSession(ctx, session, sessionId, session.orgId, { type: "session.terminated" }, actor, ctx.clock());
}

/** The active session a bearer token belongs to, if any. */
export function authenticateSessionToken(ctx: AppContext, token: string): SessionState | null {
  const digest = sessionTokenDigest(ctx, token);
  const session = ctx.store.sessions.byTokenDigest(digest);
  if (session === null || !digestsEqual(session.tokenDigest, digest)) return null;
  return isActive(ctx, session) ? session : null;
}

function isActive(ctx: AppContext, session: SessionState): boolean {
  const user = ctx.store.users.get(session.userId);
  const now = ctx.clock();
  return isSessionActive(session, user && { ...user, locked: isLocked(user, now, ctx.settings.lockout) }, now);
}

export function sessionTokenMatches(ctx: AppContext, session: SessionState, token: string): boolean {
  return digestsEqual(session.tokenDigest, sessionTokenDigest(ctx, token));
}

function sessionTokenDigest(ctx: AppContext, token: string): string {
  return keyedDigest(ctx.keys.tokens, "session-token", token);
}

function displayNameOf(user: UserState): string {
  return user.profile.displayName ?? `${user.profile.givenName} ${user.profile.familyName}`;
}

function appendSession(
  ctx: AppContext,
  state: SessionState | null,
  sessionId: string,
  owner: string,
  event: SessionEvent,
  actor: Actor,
  now: number,
): SessionState {
  const expectedSequence = state?.sequence ?? 0;
  const next = evolveSession(state, { event, aggregateId: sessionId, owner, sequence: expectedSequence + 1, createdAt: now });
  ctx.store.events.append(
    {
      aggregateType: SESSION_AGGREGATE,
      aggregateId: sessionId,
      owner,
      creator: actor.id,
      expectedSequence,
      createdAt: now,
      events: [event],
    },
    () => ctx.store.sessions.save(next),
  );
  return next;
}
