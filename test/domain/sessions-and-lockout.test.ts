import { describe, expect, it } from "vitest";
import { DEFAULT_PASSWORD_POLICY, passwordViolations } from "../../src/domain/password-policy.js";
import { quickRatio } from "../../src/domain/similarity.js";
import { isSessionActive, type SessionState } from "../../src/domain/session.js";
import { evolve, type UserEvent, type UserState } from "../../src/domain/user.js";
import { decide, type UserCommand } from "../../src/domain/user-commands.js";
import { addedUser, T0 } from "../helpers/users.js";

const session = (overrides: Partial<SessionState> = {}): SessionState => ({
  sessionId: "s1",
  orgId: "o1",
  userId: "u1",
  loginName: "ada",
  displayName: "Ada",
  tokenDigest: "d",
  sequence: 1,
  createdAt: T0,
  changedAt: T0,
  expiresAt: T0 + 1000,
  passwordVersion: 2,
  userCheckedAt: T0,
  passwordCheckedAt: T0,
  terminated: false,
  ...overrides,
});

describe("session validity", () => {
  const user = { passwordVersion: 2, keptSessionId: null };
  it("lasts until expiry, deletion, or a password change it did not make", () => {
    expect(isSessionActive(session(), user, T0 + 999)).toBe(true);
    expect(isSessionActive(session(), user, T0 + 1000)).toBe(false);
    expect(isSessionActive(session({ terminated: true }), user, T0)).toBe(false);
    expect(isSessionActive(session(), null, T0)).toBe(false);
    expect(isSessionActive(session(), { passwordVersion: 3, keptSessionId: null }, T0)).toBe(false);
    expect(isSessionActive(session(), { passwordVersion: 3, keptSessionId: "s1" }, T0)).toBe(true);
    expect(isSessionActive(session(), { passwordVersion: 3, keptSessionId: "s2" }, T0)).toBe(false);
    // Suspended while the user is locked, by either kind of lock.
    expect(isSessionActive(session(), { ...user, locked: true }, T0)).toBe(false);
  });
});

const check = (matches: boolean, max = 3): Extract<UserCommand, { type: "CheckPassword" }> => ({
  type: "CheckPassword",
  matches,
  upgradedHash: null,
  lockout: { maxPasswordAttempts: max, lockoutDurationMs: 0 },
});

function evolveAll(state: UserState, events: UserEvent[], at: number): UserState {
  return events.reduce(
    (s, event, i) => evolve(s, { event, aggregateId: s.userId, owner: s.orgId, sequence: s.sequence + 1 + i, createdAt: at }),
    state,
  );
}

describe("password checks and lockout", () => {
  it("locks on the failure that reaches the maximum, reporting the count", () => {
    const second = decide(check(false), addedUser({ failedPasswordAttempts: 1 }), T0);
    expect(second).toMatchObject({
      events: [{ type: "user.human.password.check.failed" }],
      error: { reason: "LOGIN_FAILED", failedAttempts: 2 },
    });
    const third = decide(check(false), addedUser({ failedPasswordAttempts: 2 }), T0);
    expect(third.events.map((e) => e.type)).toEqual(["user.human.password.check.failed", "user.locked"]);
    expect(decide(check(true), addedUser({ lock: { reason: "too_many_password_attempts", at: T0 } }), T0)).toMatchObject({
      events: [],
      error: { reason: "USER_LOCKED" },
    });
  });

  it("ends a password lockout by itself after its duration, twice as long for each lockout in a row", () => {
    const policy = { maxPasswordAttempts: 3, lockoutDurationMs: 60_000 };
    const timed = (matches: boolean): UserCommand => ({ ...check(matches), lockout: policy });
    let user = evolveAll(
      addedUser({ failedPasswordAttempts: 2 }),
      decide(timed(false), addedUser({ failedPasswordAttempts: 2 }), T0).events,
      T0,
    );
    expect(user.lock).toEqual({ reason: "too_many_password_attempts", at: T0 });
    expect(decide(timed(true), user, T0 + 59_999).error?.reason).toBe("USER_LOCKED");
    // Over: the right password logs in, and the count starts again.
    expect(decide(timed(true), user, T0 + 60_000).events.map((e) => e.type)).toEqual([
      "user.unlocked",
      "user.human.password.check.succeeded",
    ]);
    // A second lockout in a row (three more failures) lasts twice as long.
    let at = T0 + 60_000;
    for (let i = 0; i < 3; i++) user = evolveAll(user, decide(timed(false), user, at).events, at);
    expect(user.lock).toEqual({ reason: "too_many_password_attempts", at });
    expect(user.passwordLockouts).toBe(2);
    expect(decide(timed(true), user, at + 119_999).error?.reason).toBe("USER_LOCKED");
    expect(decide(timed(true), user, at + 120_000).error).toBeUndefined();
  });

  it("keeps an administrator's lock whatever the time or the user does", () => {
    const policy = { maxPasswordAttempts: 3, lockoutDurationMs: 60_000 };
    const byAdmin = addedUser({ lock: { reason: "administrator", at: T0 } });
    expect(decide({ ...check(true), lockout: policy }, byAdmin, T0 + 365 * 86_400_000).error?.reason).toBe("USER_LOCKED");
    // An administrator's lock replaces a password lockout.
    const lockedOut = addedUser({ lock: { reason: "too_many_password_attempts", at: T0 }, passwordLockouts: 1 });
    expect(decide({ type: "LockUser" }, lockedOut, T0).events).toEqual([{ type: "user.locked", reason: "administrator" }]);
  });

  it("never locks with a maximum of 0", () => {
    expect(decide(check(false, 0), addedUser({ failedPasswordAttempts: 99 }), T0).events.map((e) => e.type)).toEqual([
      "user.human.password.check.failed",
    ]);
  });

  it("resets the count on success, writing nothing when there is nothing to reset", () => {
    expect(decide(check(true), addedUser({ failedPasswordAttempts: 2 }), T0).events).toEqual([
      { type: "user.human.password.check.succeeded" },
    ]);
    expect(decide(check(true), addedUser(), T0).events).toEqual([]);
  });

  it("records a hash upgrade on a successful check", () => {
    const upgraded = decide({ ...check(true), upgradedHash: "new" } as UserCommand, addedUser(), T0);
    expect(upgraded.events).toEqual([{ type: "user.human.password.hash.upgraded", passwordHash: "new" }]);
  });

  it("lifts a password lockout on a reset by code, never an administrator's lock, and not on an administrator's new password", () => {
    const base = {
      type: "SetPassword",
      newPasswordHash: "n",
      changeRequired: false,
      sameAsCurrent: false,
      recentlyUsed: false,
      currentHashOutdated: false,
      lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
    } as const;
    const code = {
      digest: "d",
      createdAt: T0,
      expiresAt: T0 + 1000,
      failedAttempts: 0,
      linkId: null,
      sentAt: T0,
      medium: "returned" as const,
    };
    const locked = addedUser({ lock: { reason: "too_many_password_attempts", at: T0 }, passwordCode: code });
    const byAdmin = addedUser({ lock: { reason: "administrator", at: T0 }, passwordCode: code });
    expect(decide({ ...base, verification: { kind: "verification_code", matches: true } }, byAdmin, T0).events.map((e) => e.type)).toEqual([
      "user.human.password.changed",
    ]);
    expect(decide({ ...base, verification: { kind: "verification_code", matches: true } }, locked, T0).events.map((e) => e.type)).toEqual([
      "user.human.password.changed",
      "user.unlocked",
    ]);
    expect(decide({ ...base, verification: { kind: "privileged" } }, locked, T0).events.map((e) => e.type)).toEqual([
      "user.human.password.changed",
    ]);
  });
});

describe("password rules beyond composition", () => {
  const personal = (...values: string[]) =>
    values.map((value, i) => ({ label: ["username", "e-mail address", "given name", "family name"][i]!, value }));
  const context = { commonPasswords: new Set(["letmein123!"]), personal: personal("ada.l", "ada@example.com", "Ada", "Lovelace") };
  const violations = (password: string) =>
    passwordViolations(password, DEFAULT_PASSWORD_POLICY, "password", context).map((v) => v.description);

  it("checks common, numeric and personal passwords", () => {
    expect(violations("LetMeIn123!")).toEqual(["must not be a commonly used password"]);
    expect(violations("Xy9!LOVELACEz")).toEqual([
      "must not contain the username or e-mail address or names",
      "must not be too similar to the family name",
    ]);
    expect(violations("Xy9!-ada.l-z")).toEqual(["must not contain the username or e-mail address or names"]);
    expect(violations("Corr3ct-Horse!")).toEqual([]);
    expect(
      passwordViolations(
        "1234567890",
        { ...DEFAULT_PASSWORD_POLICY, requireUppercase: false, requireLowercase: false, requireSymbol: false },
        "password",
      ),
    ).toEqual([{ field: "password", description: "must not consist of numbers only" }]);
  });

  it("refuses passwords too similar to personal data or its parts, as Django measures it (0.7)", () => {
    const margaret = {
      commonPasswords: new Set<string>(),
      personal: personal("margaret.hamilton42", "mh@nasa.example", "Peggy", "Hx"),
    };
    const refused = (password: string) =>
      passwordViolations(password, DEFAULT_PASSWORD_POLICY, "password", margaret).map((v) => v.description);
    // Contains no name whole, yet is nearly the username.
    expect(refused("Margaret.Hamilt0n1")).toEqual(["must not be too similar to the username"]);
    expect(refused("Hamilt0n-2024!")).toEqual(["must not be too similar to the username"]); // to its part hamilton42
    expect(refused("Corr3ct-Horse!")).toEqual([]);
    expect(quickRatio("abcd", "bcde")).toBe(0.75);
    expect(quickRatio("abc", "xyz")).toBe(0);
  });

  it("ignores names too short to mean anything", () => {
    const shortNames = { commonPasswords: new Set<string>(), personal: personal("Al", "Xu") };
    expect(passwordViolations("Al-Xu-Passw0rd!", DEFAULT_PASSWORD_POLICY, "password", shortNames)).toEqual([]);
  });
});
