import bcrypt from "bcrypt";
import { describe, expect, it } from "vitest";
import { addHumanUser } from "../../src/app/users/add-human-user.js";
import { passwordReset } from "../../src/app/password-reset/password-reset.js";
import { resetMessageCode } from "../../src/app/password-reset/reset-links.js";
import { handlePublicResetRequest, requestPasswordReset } from "../../src/app/password-reset/request-password-reset.js";
import { rebuildProjections } from "../../src/app/start-up/rebuild-projections.js";
import { createSession } from "../../src/app/sessions/create-session.js";
import { setPassword } from "../../src/app/passwords/set-password.js";
import { writeUser } from "../../src/app/shared/write-user.js";
import { DomainError } from "../../src/domain/errors.js";
import { isLocked } from "../../src/domain/lockout.js";
import { testApp, type TestApp } from "../helpers/app.js";
import { BACKENDS } from "../helpers/postgres.js";

const actor = { id: "test" };
const profile = { givenName: "Ada", familyName: "Lovelace", gender: "unspecified" as const };

async function newUser(app: TestApp, password: { plaintext: string } | { importedHash: string }) {
  const state = await addHumanUser(
    app,
    {
      email: `${Math.random().toString(36).slice(2)}@example.com`,
      emailVerified: false,
      profile,
      password: { ...password, changeRequired: false },
    },
    actor,
  );
  return state.userId;
}

const eventTypes = async (app: TestApp, userId: string) =>
  (await app.store.sql.all<{ event_type: string }>(`SELECT event_type FROM events WHERE aggregate_id = ? ORDER BY sequence`, [userId])).map(
    (r) => r.event_type,
  );

describe.each(BACKENDS)("the application layer on %s", (backend) => {
  it("finds locked users as the lockout rule decides, however many lockouts in a row", async () => {
    const app = await testApp(backend);
    const lockout = { maxPasswordAttempts: 3, lockoutDurationMs: 60_000 };
    const lockedAt = app.now.value;
    const cases: Array<{ userId: string; lockouts: number }> = [];
    for (const lockouts of [0, 1, 2, 3, 10, 17, 20, 21, 22, 40]) {
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      const state = (await app.store.users.get(userId))!;
      await app.store.users.save({ ...state, lock: { reason: "too_many_password_attempts", at: lockedAt }, passwordLockouts: lockouts });
      cases.push({ userId, lockouts });
    }
    const locked = { kind: "state", state: "locked" } as const;
    for (const elapsed of [0, 59_999, 60_000, 119_999, 120_000, 3_600_000, 86_399_999, 86_400_000]) {
      const now = lockedAt + elapsed;
      const found = await app.store.users.search({ filter: locked, sort: "created_at", asc: true, offset: 0, limit: 100 }, lockout, now);
      const expected = cases.filter(({ lockouts }) =>
        isLocked({ lock: { reason: "too_many_password_attempts", at: lockedAt }, passwordLockouts: lockouts }, now, lockout),
      );
      expect(found.users.map((u) => u.userId).sort(), `after ${elapsed} ms`).toEqual(expected.map((c) => c.userId).sort());
    }
  });

  describe("the public forgot-password form", () => {
    it("sends an open link's code again rather than replacing it, so a stranger's requests never void the owner's link", async () => {
      const app = await testApp(backend);
      app.settings.codeTtlMs = 3_600_000;
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      const loginName = (await app.store.users.get(userId))!.email;
      const ask = async () => {
        requestPasswordReset(app, loginName, undefined);
        await app.background.drain();
        // What the outbox worker does with the queued request, whenever it claims it.
        const later = Number.MAX_SAFE_INTEGER;
        const [request] = await app.store.outbox.claimDue(later, ["internal"], 1, "test", later);
        await handlePublicResetRequest(app, request!);
        await app.store.outbox.markDelivered(request!.id, "test", app.now.value);
      };
      const queued = async () =>
        (
          await app.store.sql.all<{ message_id: string; user_id: string; payload: string }>(
            `SELECT message_id, user_id, payload FROM outbox WHERE kind = 'public_password_reset' ORDER BY id`,
          )
        ).map((r) => ({ messageId: r.message_id, userId: r.user_id, payload: JSON.parse(r.payload) as Record<string, string> }));
      await ask(); // the owner asks
      const ownersLink = resetMessageCode(app.keys, (await queued())[0]!);
      await ask(); // a stranger, within the minute: nothing
      expect(await queued()).toHaveLength(1);
      app.now.value += 60_000;
      await ask(); // a stranger, a minute later: the same code again
      const sent = await queued();
      expect(sent).toHaveLength(2);
      expect(new Set(sent.map((m) => m.messageId)).size).toBe(2);
      expect(resetMessageCode(app.keys, sent[1]!)).toBe(ownersLink);
      // The owner's first link still works.
      const proof = { kind: "verification_code" as const, code: ownersLink };
      await setPassword(app, { userId, newPassword: "Batt3ry-Staple?", changeRequired: false, proof }, actor);
    });
  });

  describe("writes in the application layer", () => {
    it("decides again on fresh state when another writer appends first", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      const { code } = await passwordReset(app, userId, { kind: "return_code" }, actor);
      let interfered = false;
      // Bypass the in-process queue, as a second process on the same database would.
      const originalHash = app.hasher.hash.bind(app.hasher);
      app.hasher.hash = async (password) => {
        if (!interfered) {
          interfered = true;
          await passwordReset(
            { ...app, userLocks: { run: (_k: string, job: () => Promise<unknown>) => job() } as never },
            userId,
            { kind: "return_code" },
            actor,
          );
        }
        return originalHash(password);
      };
      const attempt = setPassword(
        app,
        { userId, newPassword: "Batt3ry-Staple?", changeRequired: false, proof: { kind: "verification_code", code: code! } },
        actor,
      );
      // The competing reset voided the code while our first decision was hashing: the retry sees that.
      await expect(attempt).rejects.toMatchObject({ reason: "CODE_INVALID" });
      expect(interfered).toBe(true);
      // The refusal wrote nothing: the user is as the competing reset left it.
      expect((await app.store.users.get(userId))!.sequence).toBe(3);
    });

    it("gives up with Aborted when conflicts never end", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      let round = 0;
      const attempt = writeUser(app, userId, actor, async (state) => {
        // Another writer always gets there first.
        await app.store.append(
          {
            aggregateType: "user",
            aggregateId: userId,
            owner: state!.orgId,
            creator: "other",
            expectedSequence: state!.sequence,
            createdAt: round++,
            events: [{ type: "user.human.password.code.check.failed" }],
          },
          (tx) => tx.users.save({ ...state!, sequence: state!.sequence + 1 }),
        );
        return { events: [{ type: "user.human.password.code.check.failed" }] };
      });
      await expect(attempt).rejects.toBeInstanceOf(DomainError);
      await expect(attempt).rejects.toMatchObject({ reason: "CONCURRENT_MODIFICATION" });
    });

    it("upgrades an imported hash when its password is verified", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { importedHash: bcrypt.hashSync("Imp0rted-Pass!", 5) });
      const same = setPassword(
        app,
        { userId, newPassword: "Imp0rted-Pass!", changeRequired: false, proof: { kind: "current_password", password: "Imp0rted-Pass!" } },
        actor,
      );
      await expect(same).rejects.toMatchObject({ reason: "PASSWORD_UNCHANGED" });
      const upgraded = (await app.store.users.get(userId))!;
      expect(upgraded.passwordHash).toMatch(/^bcrypt-sha384:\$2b\$04\$/);
      expect(upgraded.sequence).toBe(2);
      expect(await eventTypes(app, userId)).toEqual(["user.human.added", "user.human.password.hash.upgraded"]);
      expect(await app.hasher.verify("Imp0rted-Pass!", upgraded.passwordHash!)).toEqual({ matches: true, needsRehash: false });
    });

    it("expires codes on the clock it is given", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      const { code } = await passwordReset(app, userId, { kind: "return_code" }, actor);
      app.now.value += app.settings.codeTtlMs;
      const late = setPassword(
        app,
        { userId, newPassword: "Batt3ry-Staple?", changeRequired: false, proof: { kind: "verification_code", code: code! } },
        actor,
      );
      await expect(late).rejects.toMatchObject({ reason: "CODE_EXPIRED" });
    });

    it("rebuilds projections equal to the live ones", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { plaintext: "Corr3ct-Horse!" });
      await passwordReset(app, userId, { kind: "send_link", channel: "email" }, actor);
      await setPassword(app, { userId, newPassword: "Batt3ry-Staple?", changeRequired: true, proof: { kind: "privileged" } }, actor);
      await passwordReset(app, userId, { kind: "return_code" }, actor);
      const dump = () =>
        Promise.all(["users", "login_names", "orgs", "sessions"].map((t) => app.store.sql.all(`SELECT * FROM ${t} ORDER BY 1`)));
      await createSession(app, { user: { userId }, password: "Batt3ry-Staple?" }, actor);
      const live = await dump();
      expect(await rebuildProjections(app.store)).toBe(6);
      expect(await dump()).toEqual(live);
    });

    it("upgrades an imported hash on a successful login", async () => {
      const app = await testApp(backend);
      const userId = await newUser(app, { importedHash: bcrypt.hashSync("Imp0rted-Pass!", 5) });
      await expect(createSession(app, { user: { userId }, password: "Wrong-Pass1!" }, actor)).rejects.toMatchObject({
        reason: "LOGIN_FAILED",
      });
      expect((await app.store.users.get(userId))!.passwordHash).toMatch(/^\$2b\$05\$/);
      await createSession(app, { user: { userId }, password: "Imp0rted-Pass!" }, actor);
      const user = (await app.store.users.get(userId))!;
      expect(user.passwordHash).toMatch(/^bcrypt-sha384:\$2b\$04\$/);
      expect(user.failedPasswordAttempts).toBe(0);
      expect(await eventTypes(app, userId)).toEqual([
        "user.human.added",
        "user.human.password.check.failed",
        "user.human.password.check.succeeded",
        "user.human.password.hash.upgraded",
      ]);
    });
  });
});
