import { describe, expect, it } from "vitest";
import { evolve, type UserEvent, type UserState } from "../../src/domain/user.js";
import { decide, type UserCommand } from "../../src/domain/user-commands.js";
import { addedUser, T0 } from "../helpers/users.js";

const lockout = { maxPasswordAttempts: 3, lockoutDurationMs: 0 };
const code = {
  digest: "d",
  createdAt: T0,
  expiresAt: T0 + 60_000,
  failedAttempts: 0,
  linkId: null,
  sentAt: T0,
  medium: "returned" as const,
};

function after(state: UserState, events: UserEvent[]): UserState {
  return events.reduce(
    (s, event, i) => evolve(s, { event, aggregateId: s.userId, owner: s.orgId, sequence: s.sequence + i + 1, createdAt: T0 }),
    state,
  );
}

describe("deactivation", () => {
  it("ends every session and voids the open code, and reactivation brings neither back", () => {
    const user = addedUser({ passwordCode: code, keptSessionId: "s1", passwordVersion: 4 });
    const deactivation = decide({ type: "DeactivateUser" }, user, T0);
    expect(deactivation).toEqual({ events: [{ type: "user.deactivated" }] });
    const deactivated = after(user, deactivation.events);
    expect(deactivated).toMatchObject({ deactivated: true, passwordCode: null, keptSessionId: null, passwordVersion: 5 });
    expect(decide({ type: "DeactivateUser" }, deactivated, T0).error?.reason).toBe("USER_DEACTIVATED");
    const reactivated = after(deactivated, decide({ type: "ReactivateUser" }, deactivated, T0).events);
    expect(reactivated).toMatchObject({ deactivated: false, passwordCode: null, passwordVersion: 5 });
    expect(decide({ type: "ReactivateUser" }, reactivated, T0).error?.reason).toBe("USER_NOT_DEACTIVATED");
  });

  it("refuses what a deactivated user's password may not do, each with its answer, and writes nothing", () => {
    const deactivated = addedUser({ deactivated: true });
    const cases: Array<[UserCommand, string]> = [
      [{ type: "CheckPassword", matches: true, upgradedHash: null, lockout }, "LOGIN_FAILED"],
      [{ type: "SetPassword", verification: { kind: "verification_code", matches: true }, ...setPassword() }, "CODE_INVALID"],
      [{ type: "SetPassword", verification: { kind: "privileged" }, ...setPassword() }, "USER_DEACTIVATED"],
      [{ type: "RequestPasswordCode", codeDigest: "d", expiresAt: T0 + 1, medium: "returned" }, "USER_DEACTIVATED"],
    ];
    for (const [command, reason] of cases) {
      const decision = decide(command, deactivated, T0);
      expect([decision.events, decision.error?.reason], command.type).toEqual([[], reason]);
    }
    // An administrator's lock is its own matter: it may be set and lifted on a deactivated user.
    expect(decide({ type: "LockUser" }, deactivated, T0).events).toEqual([{ type: "user.locked", reason: "administrator" }]);
  });
});

function setPassword() {
  return {
    newPasswordHash: "new-hash",
    changeRequired: false,
    sameAsCurrent: false,
    recentlyUsed: false,
    currentHashOutdated: false,
    lockout,
  };
}
