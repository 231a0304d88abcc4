import { describe, expect, it } from "vitest";
import { addHumanUser, type AddHumanUserInput } from "../../src/app/users/add-human-user.js";
import { importUsers } from "../../src/app/users/import-users.js";
import { DomainError } from "../../src/domain/errors.js";
import { testApp, type TestApp } from "../helpers/app.js";
import { BACKENDS } from "../helpers/postgres.js";

const actor = { id: "test" };
const profile = { givenName: "Ada", familyName: "Lovelace", gender: "unspecified" as const };
const HASH = "$2b$04$C6UzMDM.H6dfI/f/IKxGhuO0RyzNT4Iiyt/S8Jx6dpiTFGhzjDh5a"; // bcrypt of "U*U" (OpenBSD's vectors)

function user(name: string, extra: Partial<AddHumanUserInput> = {}): AddHumanUserInput {
  return {
    username: name,
    email: `${name}@example.com`,
    emailVerified: true,
    profile,
    password: { importedHash: HASH, changeRequired: false },
    ...extra,
  };
}

const outcomeOf = (o: Awaited<ReturnType<typeof importUsers>>[number]) => ("added" in o ? "added" : (o.refused as DomainError).reason);

const usersNamed = async (app: TestApp, prefix: string) =>
  (await app.store.sql.all<{ username: string }>(`SELECT username FROM users WHERE username LIKE ? ORDER BY username`, [`${prefix}%`])).map(
    (r) => r.username,
  );

describe.each(BACKENDS)("bulk import's writes on %s", (backend) => {
  it("writes many users in one transaction, each with its events and names", async () => {
    const app = await testApp(backend);
    const users = Array.from({ length: 300 }, (_, i) => user(`many-${String(i).padStart(3, "0")}`, { locked: i % 100 === 0 }));
    const outcomes = await importUsers(app, users, actor, false);
    expect(outcomes.map(outcomeOf)).toEqual(users.map(() => "added"));
    expect(await usersNamed(app, "many-")).toEqual(users.map((u) => u.username));
    const locked = await app.store.users.get((outcomes[100] as { added: { userId: string } }).added.userId);
    expect(locked?.lock?.reason).toBe("administrator");
    expect(await app.store.users.ownerOf("many-299@example.com")).not.toBeNull();
  });

  it("falls back to one write per user when another writer takes a name between the check and the write", async () => {
    const app = await testApp(backend);
    const appendAll = app.store.appendAll.bind(app.store);
    let raced = false;
    // Another caller adds a user with the second user's name after the import checked the names.
    app.store.appendAll = async (batches, project) => {
      if (!raced) {
        raced = true;
        await addHumanUser(app, user("race-b", { email: "someone-else@example.com" }), actor);
      }
      return appendAll(batches, project);
    };
    const outcomes = await importUsers(app, [user("race-a"), user("race-b"), user("race-c")], actor, false);
    expect(outcomes.map(outcomeOf)).toEqual(["added", "USERNAME_TAKEN", "added"]);
    expect(await usersNamed(app, "race-")).toEqual(["race-a", "race-b", "race-c"]);
    const [taken] = await app.store.sql.all<{ email: string }>(`SELECT email FROM users WHERE username = ?`, ["race-b"]);
    expect(taken!.email).toBe("someone-else@example.com");
  });
});
