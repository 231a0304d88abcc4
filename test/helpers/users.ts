import { evolve, type UserState } from "../../src/domain/user.js";
import { decide } from "../../src/domain/user-commands.js";

export const T0 = 1_700_000_000_000;

/** Ada, as the decider adds her at T0 with password hash "old-hash"; overrides change the state after. */
export function addedUser(overrides: Partial<UserState> = {}): UserState {
  const [event] = decide(
    {
      type: "AddHumanUser",
      userId: "u1",
      orgId: "o1",
      username: "ada",
      email: "ada@example.com",
      emailVerified: false,
      phone: null,
      phoneVerified: false,
      profile: { givenName: "Ada", familyName: "Lovelace", gender: "unspecified" },
      password: { hash: "old-hash", changeRequired: false },
    },
    null,
    T0,
  ).events;
  return { ...evolve(null, { event: event!, aggregateId: "u1", owner: "o1", sequence: 1, createdAt: T0 }), ...overrides };
}
