import type { DomainError } from "../domain/errors.js";
import type { LockoutPolicy } from "../domain/lockout.js";
import { decide, evolve, type UserState } from "../domain/user.js";
import { BookkeepingMap } from "./bookkeeping-map.js";

type LockoutFields = Pick<UserState, "failedPasswordAttempts" | "lock" | "passwordLockouts">;

/** Any user: only the lockout fields ever differ from it. */
const TEMPLATE: UserState = evolve(null, {
  event: {
    type: "user.human.added",
    username: "phantom",
    email: "phantom@phantom.invalid",
    emailVerified: false,
    phone: null,
    phoneVerified: false,
    profile: { givenName: "-", familyName: "-", gender: "unspecified" },
    passwordHash: null,
    passwordChangeRequired: false,
  },
  aggregateId: "phantom",
  owner: "phantom",
  sequence: 1,
  createdAt: 0,
});

/**
 * The lockout as one login name (a user id, username or e-mail address as typed) has seen it:
 * failure counts, lockout, its end and its growth, from the same decider that rules users, run
 * on a stand-in user whose lockout fields are kept here.
 *
 * A name that belongs to no user answers with this alone, exactly as a user with a wrong password
 * would. A known user's failures are counted here too, by the name used, and the answer reports
 * that count: failures under a user's username do not show under its e-mail address, so answers
 * do not tell that the two belong to one account (until the account itself is locked).
 *
 * In memory and bounded in bytes; they should move to the database so that restarts and replicas
 * agree.
 */
export class NameLockouts {
  private readonly lockouts: BookkeepingMap<LockoutFields>;

  constructor(maxEntries = 100_000) {
    this.lockouts = new BookkeepingMap(maxEntries);
  }

  /** A failed password check under `key`: the error a user would get at this point. */
  fail(key: string, lockout: LockoutPolicy, now: number): DomainError {
    let state: UserState = { ...TEMPLATE, ...this.lockouts.get(key) };
    const decision = decide({ type: "CheckPassword", matches: false, upgradedHash: null, lockout }, state, now);
    for (const [i, event] of decision.events.entries()) {
      state = evolve(state, { event, aggregateId: state.userId, owner: state.orgId, sequence: state.sequence + 1 + i, createdAt: now });
    }
    const { failedPasswordAttempts, lock, passwordLockouts } = state;
    this.lockouts.set(key, { failedPasswordAttempts, lock, passwordLockouts });
    return decision.error!;
  }

  succeeded(key: string): void {
    this.lockouts.delete(key);
  }
}
