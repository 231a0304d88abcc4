import { setTimeout as sleep } from "node:timers/promises";
import { bookkeepingKey } from "../../crypto/digest.js";
import type { DomainError } from "../../domain/errors.js";
import type { LockoutPolicy, LockReason } from "../../domain/lockout.js";
import { evolve, type UserState } from "../../domain/user.js";
import { decide } from "../../domain/user-commands.js";
import type { Throttles } from "../../store/throttles.js";
import { CONFLICT, retryOnConflict } from "../shared/command-handler.js";

export interface FailureDelay {
  /** Delay after the first failure; doubles with each further one. 0 turns delays off. */
  baseMs: number;
  maxMs: number;
}

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

/** How long a name's failures are remembered after the last one. */
const KEEP_MS = 30 * 24 * 3_600_000;
const MAX_SAVE_ATTEMPTS = 20;

/**
 * What one login name (a user id, username or e-mail address as typed) has seen of password
 * checks: their pacing, and the lockout from the same decider that rules users, run on a stand-in
 * user whose lockout fields are kept here.
 *
 * A name that belongs to no user answers with this alone, exactly as a user with a wrong password
 * would. A known user's failures are counted here too, by the name used, and the answer reports
 * that count: failures under a user's username do not show under its e-mail address, so answers
 * do not tell that the two belong to one account (until the account itself is locked).
 *
 * Kept in the database (store/throttles.ts) under a digest of the name: every replica counts
 * alike, and a restart forgets nothing that would tell real names from unknown ones.
 */
export class NameFailures {
  constructor(
    private readonly throttles: Throttles,
    private readonly delay: FailureDelay,
    /**
     * Hears each lockout of a name, real or not: the one place password lockouts are counted, so
     * that a metric moves alike whether or not the name belongs to a user.
     */
    private readonly locked: (reason: LockReason) => void = () => undefined,
  ) {}

  /**
   * Counts this check in, then waits (without blocking the event loop) as long as the earlier ones
   * ask for. Every check counts as a failure from the moment it starts until it succeeds, so checks
   * that run at the same time, on any replica, see each other.
   */
  async begin(name: string, now: number): Promise<void> {
    const earlier = await this.throttles.countAttempt(bookkeepingKey(name), now, KEEP_MS);
    if (earlier === 0 || this.delay.baseMs === 0) return;
    await sleep(Math.min(this.delay.baseMs * 2 ** Math.min(earlier - 1, 30), this.delay.maxMs));
  }

  /** A failed password check under `name`: the error a user would get at this point. */
  async fail(name: string, lockout: LockoutPolicy, now: number): Promise<DomainError> {
    const key = bookkeepingKey(name);
    return retryOnConflict("the login name's failure count", MAX_SAVE_ATTEMPTS, async () => {
      const record = await this.throttles.lockoutOf(key);
      const seen = record?.value ? (JSON.parse(record.value) as LockoutFields) : {};
      const { fields, error, lockedFor } = failOnce({ ...TEMPLATE, ...seen }, lockout, now);
      if (!(await this.throttles.saveLockout(key, JSON.stringify(fields), record?.version ?? null, now, KEEP_MS))) return CONFLICT;
      if (lockedFor !== null) this.locked(lockedFor);
      return error;
    });
  }

  async succeeded(name: string): Promise<void> {
    await this.throttles.forget(bookkeepingKey(name));
  }
}

function failOnce(
  state: UserState,
  lockout: LockoutPolicy,
  now: number,
): { fields: LockoutFields; error: DomainError; lockedFor: LockReason | null } {
  const decision = decide({ type: "CheckPassword", matches: false, upgradedHash: null, lockout }, state, now);
  const lock = decision.events.find((event) => event.type === "user.locked");
  for (const [i, event] of decision.events.entries()) {
    state = evolve(state, { event, aggregateId: state.userId, owner: state.orgId, sequence: state.sequence + 1 + i, createdAt: now });
  }
  const { failedPasswordAttempts, passwordLockouts } = state;
  return {
    fields: { failedPasswordAttempts, lock: state.lock, passwordLockouts },
    error: decision.error!,
    lockedFor: lock?.type === "user.locked" ? lock.reason : null,
  };
}
