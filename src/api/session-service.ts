import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import type { UserLookup } from "../app/users/find-user.js";
import type { AppContext } from "../app/shared/context.js";
import { createSession } from "../app/sessions/create-session.js";
import { deleteSession } from "../app/sessions/delete-session.js";
import { getActiveSession } from "../app/sessions/get-session.js";
import { sessionTokenMatches } from "../app/sessions/session-tokens.js";
import { DomainError, invalidArgument } from "../domain/errors.js";
import type { SessionState } from "../domain/session.js";
import { MAX_PASSWORD_LENGTH } from "../domain/password-policy.js";
import { checkId, checkLoginName, loginNameKey, Violations } from "../domain/user-input.js";
import { SessionSchema, type Session } from "../../gen/zitadel/session/v2/session_pb.js";
import { SessionService, type CreateSessionRequest } from "../../gen/zitadel/session/v2/session_service_pb.js";
import { actorOf, callerOf, hasPermission, refusal, type Permission } from "./auth.js";
import { timestamp, toDetails } from "./details.js";
import { limitPublicCall, type AnonymousLimits } from "./rate-limit.js";

export function sessionService(app: AppContext, limits: AnonymousLimits): ServiceImpl<typeof SessionService> {
  return {
    async createSession(req, ctx) {
      const { user, password, lifetimeMs } = createSessionInput(req);
      await limitPublicCall(ctx, limits, "userId" in user ? `user:${user.userId}` : `login:${loginNameKey(user.loginName)}`);
      const { session, token } = await createSession(
        app,
        { user, password, ...(lifetimeMs !== undefined && { lifetimeMs }) },
        actorOf(callerOf(ctx)),
      );
      return { details: toDetails(session), sessionId: session.sessionId, sessionToken: token };
    },

    async getSession(req, ctx) {
      const session = await getActiveSession(app, requireSessionId(req.sessionId));
      authorizeSessionAccess(app, ctx, session, req.sessionToken, "session.read");
      return { session: toSession(session) };
    },

    async deleteSession(req, ctx) {
      const session = await getActiveSession(app, requireSessionId(req.sessionId));
      authorizeSessionAccess(app, ctx, session, req.sessionToken, "session.delete");
      return { details: toDetails(await deleteSession(app, session.sessionId, actorOf(callerOf(ctx)))) };
    },
  };
}

function createSessionInput(req: CreateSessionRequest) {
  const search = req.checks?.user?.search;
  const v = new Violations();
  if (search?.case === undefined || search.value === "") v.add("checks.user", "is required as user_id or login_name");
  else if (search.case === "userId") checkId(v, "checks.user.user_id", search.value);
  else checkLoginName(v, "checks.user.login_name", search.value);
  const password = req.checks?.password?.password;
  if (password === undefined) v.add("checks.password", "is required because a session proves the password");
  else if ([...password].length > MAX_PASSWORD_LENGTH)
    v.add("checks.password.password", `must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  const lifetime = req.lifetime;
  const lifetimeMs = lifetime === undefined ? undefined : Number(lifetime.seconds) * 1000 + Math.floor(lifetime.nanos / 1e6);
  if (lifetimeMs !== undefined && lifetimeMs <= 0) v.add("lifetime", "must be longer than zero");
  if (v.list.length > 0 || search?.case === undefined) throw invalidArgument(v.list);
  const user: UserLookup = search.case === "userId" ? { userId: search.value } : { loginName: search.value };
  return { user, password: req.checks!.password!.password, lifetimeMs };
}

function requireSessionId(sessionId: string): string {
  if (sessionId === "") throw invalidArgument([{ field: "session_id", description: "is required" }]);
  new Violations().tap((v) => checkId(v, "session_id", sessionId)).throwIfAny();
  return sessionId;
}

/** A privileged service account, the session's own user, or whoever holds the session's token. */
function authorizeSessionAccess(
  app: AppContext,
  ctx: HandlerContext,
  session: SessionState,
  token: string | undefined,
  permission: Permission,
): void {
  const caller = callerOf(ctx);
  if (hasPermission(caller, permission)) return;
  if (caller.kind === "user" && caller.userId === session.userId) return;
  if (token !== undefined && token !== "") {
    if (sessionTokenMatches(app, session, token)) return;
    throw new DomainError("PERMISSION_DENIED", "the session token does not belong to this session");
  }
  throw refusal(caller, "this call needs the session's token or the " + permission + " permission");
}

function toSession(s: SessionState): Session {
  return create(SessionSchema, {
    id: s.sessionId,
    creationDate: timestamp(s.createdAt),
    changeDate: timestamp(s.changedAt),
    sequence: BigInt(s.sequence),
    expirationDate: timestamp(s.expiresAt),
    factors: {
      user: {
        verifiedAt: timestamp(s.userCheckedAt),
        id: s.userId,
        loginName: s.loginName,
        displayName: s.displayName,
        organizationId: s.orgId,
      },
      password: { verifiedAt: timestamp(s.passwordCheckedAt) },
    },
  });
}
