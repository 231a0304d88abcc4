import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { authenticateBearer } from "../app/tokens/authenticate-bearer.js";
import { ALL_PERMISSIONS } from "../app/start-up/bootstrap.js";
import type { Actor, AppContext } from "../app/shared/context.js";
import { DomainError } from "../domain/errors.js";

export const PERMISSIONS = ["user.read", "user.write", "user.password.reset", "session.read", "session.delete", "events.read"] as const;
export type Permission = (typeof PERMISSIONS)[number];

type Caller =
  | { kind: "anonymous" }
  | { kind: "service"; tokenId: string; permissions: readonly string[] }
  /** A user acting through one of its sessions: on its own user only. */
  | { kind: "user"; userId: string; sessionId: string };

const ANONYMOUS: Caller = { kind: "anonymous" };
const callerKey = createContextKey<Caller>(ANONYMOUS, { description: "the authenticated caller" });

/**
 * Resolves `Authorization: Bearer <token>` to a service account or a user's session. A token that
 * is sent but unknown is refused outright; an empty one (as clients send when configured without
 * a token) carries no credential at all.
 */
export function authInterceptor(app: AppContext): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization")?.trim() ?? "";
    if (header !== "" && !/^Bearer$/i.test(header)) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const credential = match ? await authenticateBearer(app, match[1]!) : null;
      if (credential === null) throw new DomainError("UNAUTHENTICATED", "the bearer token is invalid or expired");
      req.contextValues.set(
        callerKey,
        credential.kind === "api_token"
          ? { kind: "service", tokenId: credential.token.tokenId, permissions: credential.token.permissions }
          : { kind: "user", userId: credential.session.userId, sessionId: credential.session.sessionId },
      );
    }
    return next(req);
  };
}

export function callerOf(ctx: HandlerContext): Caller {
  return ctx.values.get(callerKey);
}

export function hasPermission(caller: Caller, permission: Permission): boolean {
  return caller.kind === "service" && (caller.permissions.includes(ALL_PERMISSIONS) || caller.permissions.includes(permission));
}

/** Anonymous: Unauthenticated; authenticated without the permission: PermissionDenied. */
export function requirePermission(ctx: HandlerContext, permission: Permission): Actor {
  const caller = callerOf(ctx);
  if (hasPermission(caller, permission)) return actorOf(caller);
  throw refusal(caller, `this call needs the ${permission} permission`);
}

/** A service account with the permission, or the user itself through one of its sessions. */
export function requireSelfOrPermission(ctx: HandlerContext, userId: string, permission: Permission): Actor {
  const caller = callerOf(ctx);
  if (hasPermission(caller, permission) || (caller.kind === "user" && caller.userId === userId)) return actorOf(caller);
  throw refusal(caller, `this call needs the ${permission} permission or a session of this user`);
}

export function refusal(caller: Caller, message: string): DomainError {
  return caller.kind === "anonymous"
    ? new DomainError("UNAUTHENTICATED", "this call needs a bearer token")
    : new DomainError("PERMISSION_DENIED", message);
}

export function actorOf(caller: Caller): Actor {
  switch (caller.kind) {
    case "service":
      return { id: caller.tokenId };
    case "user":
      return { id: caller.userId };
    case "anonymous":
      return { id: "anonymous" };
  }
}
