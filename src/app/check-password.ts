import { loginFailed } from "../domain/lockout.js";
import { normalizePassword } from "../domain/password-policy.js";
import { loginNameKey } from "../domain/user-input.js";
import { decide, type UserState } from "../domain/user.js";
import { DomainError } from "../domain/errors.js";
import type { Actor, AppContext } from "./context.js";
import { verifyPassword } from "./verify-password.js";
import { writeUser } from "./write-user.js";

export type UserLookup = { userId: string } | { loginName: string };

/** The user a login names, by id or by username or e-mail address (case-insensitive). */
export async function findUser(ctx: AppContext, lookup: UserLookup): Promise<UserState | null> {
  if ("userId" in lookup) return ctx.store.users.get(lookup.userId);
  const owner = await ctx.store.users.ownerOf(loginNameKey(lookup.loginName));
  return owner === null ? null : ctx.store.users.get(owner);
}

/**
 * Checks a login's password and counts the result towards the lockout. To a caller, a login name
 * that does not exist is indistinguishable from a wrong password: the same bcrypt work, the same
 * error, the same failure count, the same "locked" after the maximum.
 */
export async function checkLoginPassword(ctx: AppContext, lookup: UserLookup, password: string, actor: Actor): Promise<UserState> {
  const found = await findUser(ctx, lookup);
  // Paced and counted by the name as given, so that nothing links a user's names to each other.
  const nameKey = "userId" in lookup ? `id:${lookup.userId}` : `login:${loginNameKey(lookup.loginName)}`;
  await ctx.nameFailures.begin(nameKey, ctx.clock());
  if (found === null) {
    await verifyPassword(ctx, password, await ctx.dummyHash);
    ctx.metrics.passwordChecked(false);
    throw await ctx.nameFailures.fail(nameKey, ctx.settings.lockout, ctx.clock());
  }

  // Verified before the user's write lock: concurrent guesses for a real name then run side by
  // side, as they do for an unknown name, and only the short write after them queues. Should the
  // hash change in between, the check is made again against the new one.
  const verify = async (hash: string | null) => {
    // A user without a password costs the same bcrypt as any other: timing must not tell.
    const result = await verifyPassword(ctx, password, hash ?? (await ctx.dummyHash));
    return { hash, result: { ...result, matches: result.matches && hash !== null } };
  };
  let verified = await verify(found.passwordHash);
  let upgradedHash: string | null | undefined;
  try {
    const user = await writeUser(ctx, found.userId, actor, async (state, now) => {
      if (state === null) return { events: [], error: loginFailed(1) };
      if (state.passwordHash !== verified.hash) verified = await verify(state.passwordHash);
      const { matches, needsRehash } = verified.result;
      upgradedHash ??= matches && needsRehash ? await ctx.hasher.hash(normalizePassword(password)) : null;
      return decide(
        {
          type: "CheckPassword",
          matches,
          upgradedHash: matches ? upgradedHash : null,
          lockout: ctx.settings.lockout,
        },
        state,
        now,
      );
    });
    await ctx.nameFailures.succeeded(nameKey);
    ctx.metrics.passwordChecked(true);
    return user;
  } catch (error) {
    if (!(error instanceof DomainError) || error.reason !== "LOGIN_FAILED") throw error;
    ctx.metrics.passwordChecked(false);
    // The user's own count decides its lockout; the answer counts what this name has seen.
    const seen = await ctx.nameFailures.fail(nameKey, ctx.settings.lockout, ctx.clock());
    throw loginFailed(seen.failedAttempts ?? error.failedAttempts ?? 1);
  }
}
