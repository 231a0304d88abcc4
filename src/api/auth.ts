import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { authenticateToken } from "../app/authenticate.js";
import { ALL_PERMISSIONS } from "../app/bootstrap.js";
import type { Actor, AppContext } from "../app/context.js";
import { DomainError } from "../domain/errors.js";

export type Permission = "user.read" | "user.write" | "user.password.reset";

export type Caller = { kind: "anonymous" } | { kind: "service"; tokenId: string; permissions: readonly string[] };

const ANONYMOUS: Caller = { kind: "anonymous" };
export const callerKey = createContextKey<Caller>(ANONYMOUS, { description: "the authenticated caller" });

/**
 * Resolves `Authorization: Bearer <token>`. A token that is sent but unknown is refused outright;
 * an empty one (as clients send when configured without a token) carries no credential at all.
 */
export function authInterceptor(app: AppContext): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization")?.trim() ?? "";
    if (header !== "" && !/^Bearer$/i.test(header)) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const token = match ? authenticateToken(app, match[1]!) : null;
      if (token === null) throw new DomainError("UNAUTHENTICATED", "the bearer token is invalid");
      req.contextValues.set(callerKey, { kind: "service", tokenId: token.tokenId, permissions: token.permissions });
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
  if (caller.kind === "anonymous") throw new DomainError("UNAUTHENTICATED", "this call needs a bearer token");
  if (!hasPermission(caller, permission)) throw new DomainError("PERMISSION_DENIED", `this call needs the ${permission} permission`);
  return actorOf(caller);
}

export function actorOf(caller: Caller): Actor {
  return { id: caller.kind === "service" ? caller.tokenId : "anonymous" };
}
