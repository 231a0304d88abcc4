// Seeds users in bulk for the scale figures: the same events and projection rows the service
// writes, with one precomputed hash, in large transactions. A bench tool, not a product path.
import { ensureDefaultOrg } from "../src/app/bootstrap.js";
import { ensureProjectionsCurrent } from "../src/app/rebuild-projections.js";
import { loginNamesOf } from "../src/domain/user-input.js";
import { decide, evolve } from "../src/domain/user.js";
import { INSTANCE_ID } from "../src/store/event-store.js";
import { openStore } from "../src/store/store.js";

export function seedUsers(dataDir: string, count: number, passwordHash: string): string[] {
  const seeded = openStore(dataDir);
  const orgId = ensureDefaultOrg(seeded, Date.now());
  ensureProjectionsCurrent(seeded); // the rows below are written consistent: nothing to replay at start
  const db = seeded.db;
  db.pragma("synchronous = OFF"); // seeding only
  const insertEvent = db.prepare(
    `INSERT INTO events (instance_id, aggregate_type, aggregate_id, sequence, event_type, revision, payload, creator, owner, created_at)
     VALUES (?, 'user', ?, 1, 'user.human.added', 1, ?, 'bench', ?, ?)`,
  );
  const ids: string[] = [];
  const batch = db.transaction((from: number, to: number) => {
    const now = Date.now();
    for (let i = from; i < to; i++) {
      const userId = `bench-${i}`;
      const username = `bench-user-${i}`;
      const [event] = decide(
        {
          type: "AddHumanUser",
          userId,
          orgId,
          username,
          email: `${username}@example.com`,
          emailVerified: true,
          phone: null,
          phoneVerified: false,
          profile: { givenName: "Bench", familyName: `User ${i}`, gender: "unspecified" },
          password: { hash: passwordHash, changeRequired: false },
        },
        null,
        now,
      ).events;
      const { type, ...payload } = event!;
      insertEvent.run(INSTANCE_ID, userId, JSON.stringify(payload), orgId, now);
      const state = evolve(null, { event: event!, aggregateId: userId, owner: orgId, sequence: 1, createdAt: now });
      seeded.users.save(state);
      seeded.users.claim(userId, loginNamesOf(username, state.email));
      ids.push(userId);
    }
  });
  for (let from = 0; from < count; from += 50_000) batch(from, Math.min(count, from + 50_000));
  // On disk before anything is measured: otherwise the kernel writes a gigabyte back during the run.
  db.pragma("synchronous = FULL");
  db.pragma("wal_checkpoint(TRUNCATE)");
  seeded.close();
  return ids;
}
