import { describe, expect, it } from "vitest";
import { publicResetAction } from "../../src/domain/password-code.js";
import { evolve, type UserEvent, type UserState } from "../../src/domain/user.js";
import { decide, type UserCommand } from "../../src/domain/user-commands.js";
import { addedUser as added, T0 } from "../helpers/users.js";

/** Decides and applies, as the application does, returning the new state and the decision. */
function run(state: UserState, command: UserCommand, now: number) {
  const decision = decide(command, state, now);
  const next = decision.events.reduce(
    (s, event, i) => evolve(s, { event, aggregateId: s.userId, owner: s.orgId, sequence: s.sequence + 1 + i, createdAt: now }),
    state,
  );
  return { next, decision };
}

const requestCode = (digest: string, expiresAt: number): UserCommand => ({
  type: "RequestPasswordCode",
  codeDigest: digest,
  expiresAt,
  medium: "returned",
});
const setByCode = (matches: boolean): UserCommand => ({
  type: "SetPassword",
  verification: { kind: "verification_code", matches },
  newPasswordHash: "new-hash",
  changeRequired: false,
  sameAsCurrent: false,
  recentlyUsed: false,
  currentHashOutdated: false,
  lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
});

describe("the user decider", () => {
  it("adds a user once", () => {
    const state = added();
    expect(state).toMatchObject({
      userId: "u1",
      orgId: "o1",
      sequence: 1,
      passwordHash: "old-hash",
      passwordChangedAt: T0,
      passwordCode: null,
    });
    expect(decide({ ...({} as UserCommand), type: "AddHumanUser" } as UserCommand, state, T0).error?.reason).toBe("USER_ID_TAKEN");
  });

  it("refuses commands on a user that does not exist", () => {
    expect(decide(requestCode("d", T0 + 1), null, T0).error?.reason).toBe("USER_NOT_FOUND");
  });

  it("changes the password with an open, matching code and closes the code", () => {
    const withCode = run(added(), requestCode("digest", T0 + 60_000), T0).next;
    const { next, decision } = run(withCode, setByCode(true), T0 + 1000);
    expect(decision.error).toBeUndefined();
    expect(decision.events).toEqual([
      {
        type: "user.human.password.changed",
        passwordHash: "new-hash",
        changeRequired: false,
        method: "verification_code",
        keptSessionId: null,
      },
    ]);
    expect(next).toMatchObject({ passwordHash: "new-hash", passwordCode: null, passwordChangedAt: T0 + 1000, sequence: 3 });
    expect(run(next, setByCode(false), T0 + 2000).decision.error?.reason).toBe("CODE_INVALID");
  });

  it("refuses wrong codes without writing, and they never void the right one: a stranger cannot take the owner's code away", () => {
    let state = run(added(), requestCode("digest", T0 + 60_000), T0).next;
    for (let i = 0; i < 50; i++) {
      const { next, decision } = run(state, setByCode(false), T0 + i);
      expect(decision).toMatchObject({ events: [], error: { reason: "CODE_INVALID" } });
      state = next;
    }
    expect(run(state, setByCode(true), T0 + 100).decision.error).toBeUndefined();
  });

  it("refuses an expired code, at exactly its expiry", () => {
    const state = run(added(), requestCode("digest", T0 + 1000), T0).next;
    expect(run(state, setByCode(true), T0 + 999).decision.error).toBeUndefined();
    expect(run(state, setByCode(true), T0 + 1000).decision.error?.reason).toBe("CODE_EXPIRED");
  });

  it("replaces an open code with a newer one, resetting the attempts", () => {
    let state = run(added(), requestCode("first", T0 + 60_000), T0).next;
    state = run(state, setByCode(false), T0).next;
    state = run(state, requestCode("second", T0 + 120_000), T0).next;
    expect(state.passwordCode).toEqual({
      digest: "second",
      createdAt: T0,
      expiresAt: T0 + 120_000,
      failedAttempts: 0,
      linkId: null,
      sentAt: T0,
      medium: "returned",
    });
  });

  it("sends an open link code again rather than replacing it, once per interval", () => {
    const link: UserCommand = { type: "RequestPasswordCode", codeDigest: "d", expiresAt: T0 + 3_600_000, medium: "email", linkId: "l1" };
    const state = run(added(), link, T0).next;
    expect(publicResetAction(state.passwordCode, T0 + 59_999)).toBe("nothing");
    expect(publicResetAction(state.passwordCode, T0 + 60_000)).toBe("resend");
    const resent = run(state, { type: "ResendPasswordCode" }, T0 + 60_000);
    expect(resent.decision.events).toEqual([{ type: "user.human.password.code.resent" }]);
    expect(resent.next.passwordCode).toMatchObject({ digest: "d", linkId: "l1", sentAt: T0 + 60_000 });
    expect(publicResetAction(resent.next.passwordCode, T0 + 100_000)).toBe("nothing");
    // Expired, or returned to a backend rather than sent: a new code.
    expect(publicResetAction(state.passwordCode, T0 + 3_600_000)).toBe("new_code");
    const returned = run(added(), requestCode("r", T0 + 3_600_000), T0).next;
    expect(publicResetAction(returned.passwordCode, T0 + 60_000)).toBe("new_code");
  });

  it("checks the current password and refuses an unchanged one", () => {
    const state = added();
    const base = {
      type: "SetPassword",
      newPasswordHash: "h",
      changeRequired: false,
      currentHashOutdated: false,
      recentlyUsed: false,
      lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
    } as const;
    expect(
      decide({ ...base, verification: { kind: "current_password", matches: false }, sameAsCurrent: false }, state, T0).error?.reason,
    ).toBe("PASSWORD_INVALID");
    expect(decide({ ...base, verification: { kind: "privileged" }, sameAsCurrent: true }, state, T0).error?.reason).toBe(
      "PASSWORD_UNCHANGED",
    );
    const noPassword = { ...state, passwordHash: null };
    expect(
      decide({ ...base, verification: { kind: "current_password", matches: false }, sameAsCurrent: false }, noPassword, T0).error?.reason,
    ).toBe("PASSWORD_NOT_SET");
  });

  it("keeps a fresh hash of an unchanged password when the old hash is outdated", () => {
    const decision = decide(
      {
        type: "SetPassword",
        verification: { kind: "current_password", matches: true },
        newPasswordHash: "rehashed",
        changeRequired: false,
        sameAsCurrent: true,
        recentlyUsed: false,
        currentHashOutdated: true,
        lockout: { maxPasswordAttempts: 3, lockoutDurationMs: 0 },
      },
      added(),
      T0,
    );
    expect(decision.error?.reason).toBe("PASSWORD_UNCHANGED");
    expect(decision.events).toEqual<UserEvent[]>([{ type: "user.human.password.hash.upgraded", passwordHash: "rehashed" }]);
  });
});
