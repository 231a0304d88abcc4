import { generateId, generateToken } from "../crypto/codes.js";
import { digestsEqual, keyedDigest } from "../crypto/digest.js";
import { isSessionActive, sessionNotFound, type SessionEvent, type SessionState } from "../domain/session.js";
import { isLocked } from "../domain/lockout.js";
import type { UserState } from "../domain/user.js";
import { SESSIONS } from "./aggregates.js";
import { handleCommand } from "./command-handler.js";
import type { Actor, AppContext } from "./context.js";
import { checkLoginPassword, type UserLookup } from "./check-password.js";

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
  const session = await handleCommand(
    ctx.store,
    SESSIONS,
    generateId(),
    actor,
    () => now,
    () => ({ events: [event], owner: user.orgId }),
  );
  return { session, token };
}

/** An active session, or SESSION_NOT_FOUND for one that never was, expired, ended, or outlived its password. */
export async function getActiveSession(ctx: AppContext, sessionId: string): Promise<SessionState> {
  const session = await ctx.store.sessions.get(sessionId);
  if (session === null || !(await isActive(ctx, session))) throw sessionNotFound();
  return session;
}

/** Ends a session once: of concurrent deletes, one ends it and the others find it gone. */
export function deleteSession(ctx: AppContext, sessionId: string, actor: Actor): Promise<SessionState> {
  return handleCommand(ctx.store, SESSIONS, sessionId, actor, ctx.clock, async (session) => {
    if (session === null || !(await isActive(ctx, session))) return { events: [], error: sessionNotFound() };
    return { events: [{ type: "session.terminated" }] };
  });
}

/** The active session a bearer token belongs to, if any. */
export async function authenticateSessionToken(ctx: AppContext, token: string): Promise<SessionState | null> {
  const digest = sessionTokenDigest(ctx, token);
  const session = await ctx.store.sessions.byTokenDigest(digest);
  if (session === null || !digestsEqual(session.tokenDigest, digest)) return null;
  return (await isActive(ctx, session)) ? session : null;
}

async function isActive(ctx: AppContext, session: SessionState): Promise<boolean> {
  const user = await ctx.store.users.get(session.userId);
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
