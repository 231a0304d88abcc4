import { DomainError } from "./errors.js";

export type SessionEvent =
  | {
      type: "session.added";
      userId: string;
      loginName: string;
      displayName: string;
      tokenDigest: string;
      expiresAt: number;
      /** The user's password version when the password was checked. */
      passwordVersion: number;
      userCheckedAt: number;
      passwordCheckedAt: number;
    }
  | { type: "session.terminated" };

export interface SessionState {
  sessionId: string;
  orgId: string;
  userId: string;
  loginName: string;
  displayName: string;
  tokenDigest: string;
  sequence: number;
  createdAt: number;
  changedAt: number;
  expiresAt: number;
  passwordVersion: number;
  userCheckedAt: number;
  passwordCheckedAt: number;
  terminated: boolean;
}

export function evolveSession(
  state: SessionState | null,
  recorded: { event: SessionEvent; aggregateId: string; owner: string; sequence: number; createdAt: number },
): SessionState {
  const { event } = recorded;
  if (event.type === "session.added") {
    // Field by field, not `...event`: see user.ts's added().
    return {
      userId: event.userId,
      loginName: event.loginName,
      displayName: event.displayName,
      tokenDigest: event.tokenDigest,
      expiresAt: event.expiresAt,
      passwordVersion: event.passwordVersion,
      userCheckedAt: event.userCheckedAt,
      passwordCheckedAt: event.passwordCheckedAt,
      sessionId: recorded.aggregateId,
      orgId: recorded.owner,
      sequence: recorded.sequence,
      createdAt: recorded.createdAt,
      changedAt: recorded.createdAt,
      terminated: false,
    };
  }
  if (state === null) throw new Error(`event ${event.type} before session.added for ${recorded.aggregateId}`);
  return { ...state, sequence: recorded.sequence, changedAt: recorded.createdAt, terminated: true };
}

/**
 * A session lives until it expires or is deleted, and only as long as the user's password has
 * not changed since, unless the change was made in this very session. While the user is locked
 * (`locked`, as lockout.ts's isLocked tells), its sessions are suspended.
 */
export function isSessionActive(
  session: SessionState,
  user: { passwordVersion: number; keptSessionId: string | null; locked?: boolean } | null,
  now: number,
): boolean {
  if (session.terminated || now >= session.expiresAt || user === null || user.locked === true) return false;
  return session.passwordVersion === user.passwordVersion || session.sessionId === user.keptSessionId;
}

export function sessionNotFound(): DomainError {
  return new DomainError("SESSION_NOT_FOUND", "session not found");
}
