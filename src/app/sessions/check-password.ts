import { loginFailed } from "../../domain/lockout.js";
import { normalizePassword } from "../../domain/password-policy.js";
import { loginNameKey } from "../../domain/user-input.js";
import { type UserState } from "../../domain/user.js";
import { decide } from "../../domain/user-commands.js";
import { DomainError } from "../../domain/errors.js";
import type { Actor, AppContext } from "../shared/context.js";
import { verifyPassword } from "../passwords/verify-password.js";
import { findUser, type UserLookup } from "../users/find-user.js";
import { writeUser } from "../shared/write-user.js";

/**
 * Checks a login's password and counts the result towards the lockout. To a caller, a login name
 * that does not exist is indistinguishable from a wrong password: the same bcrypt work, the same
 * error, the same failure count, the same "locked" after the maximum.
 */
export async function checkLoginPassword(
  app: Pick<AppContext, "clock" | "dummyHash" | "hasher" | "metrics" | "nameFailures" | "settings" | "store" | "userLocks">,
  lookup: UserLookup,
  password: string,
  actor: Actor,
): Promise<UserState> {
  const found = await findUser(app, lookup);
  // Paced and counted by the name as given, so that nothing links a user's names to each other.
  const nameKey = "userId" in lookup ? `id:${lookup.userId}` : `login:${loginNameKey(lookup.loginName)}`;
  await app.nameFailures.begin(nameKey, app.clock());
  // A deactivated user is answered as an unknown name is: nothing tells it apart from a wrong password.
  if (found === null || found.deactivated) {
    await verifyPassword(app, password, await app.dummyHash);
    app.metrics.passwordChecked(false);
    throw await app.nameFailures.fail(nameKey, app.settings.lockout, app.clock());
  }

  // Verified before the user's write lock: concurrent guesses for a real name then run side by
  // side, as they do for an unknown name, and only the short write after them queues. Should the
  // hash change in between, the check is made again against the new one.
  const verify = async (hash: string | null) => {
    // A user without a password costs the same bcrypt as any other: timing must not tell.
    const result = await verifyPassword(app, password, hash ?? (await app.dummyHash));
    return { hash, result: { ...result, matches: result.matches && hash !== null } };
  };
  let verified = await verify(found.passwordHash);
  let upgradedHash: string | null | undefined;
  try {
    const user = await writeUser(app, found.userId, actor, async (state, now) => {
      if (state === null || state.deactivated) return { events: [], error: loginFailed(1) };
      if (state.passwordHash !== verified.hash) verified = await verify(state.passwordHash);
      const { matches, needsRehash } = verified.result;
      upgradedHash ??= matches && needsRehash ? await app.hasher.hash(normalizePassword(password)) : null;
      return decide(
        {
          type: "CheckPassword",
          matches,
          upgradedHash: matches ? upgradedHash : null,
          lockout: app.settings.lockout,
        },
        state,
        now,
      );
    });
    await app.nameFailures.succeeded(nameKey);
    app.metrics.passwordChecked(true);
    return user;
  } catch (error) {
    if (!(error instanceof DomainError) || error.reason !== "LOGIN_FAILED") throw error;
    app.metrics.passwordChecked(false);
    // The user's own count decides its lockout; the answer counts what this name has seen.
    const seen = await app.nameFailures.fail(nameKey, app.settings.lockout, app.clock());
    throw loginFailed(seen.failedAttempts ?? error.failedAttempts ?? 1);
  }
}
