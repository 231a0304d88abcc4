// Seeds users in bulk for the scale figures: the same events and projection rows the service
// writes, with one precomputed hash, in large transactions. A bench tool, not a product path.
import { appendEvents, USERS } from "../src/app/shared/aggregates.js";
import { ensureDefaultOrg } from "../src/app/start-up/bootstrap.js";
import { ensureProjectionsCurrent } from "../src/app/start-up/rebuild-projections.js";
import { MAX_PASSWORD_HISTORY } from "../src/domain/user.js";
import { decide } from "../src/domain/user-commands.js";
import { openStore } from "../src/store/open-store.js";
import { appenderIn } from "../src/store/store.js";

/** Seeds `count` users through the same aggregate code as live writes, many per transaction. */
export async function seedUsers(dataDir: string, count: number, passwordHash: string, databaseUrl?: string): Promise<string[]> {
  const seeded = await openStore({ dataDir, url: databaseUrl, poolSize: 2, passwordHistoryKept: MAX_PASSWORD_HISTORY });
  const orgId = await ensureDefaultOrg(seeded, Date.now());
  await ensureProjectionsCurrent(seeded); // the rows below are written consistent: nothing to replay at start
  const ids: string[] = [];
  const actor = { id: "bench" };
  for (let from = 0; from < count; from += 20_000) {
    await seeded.exclusive(async (tx) => {
      const now = Date.now();
      for (let i = from; i < Math.min(count, from + 20_000); i++) {
        const userId = `bench-${i}`;
        const username = `bench-user-${i}`;
        const { events } = decide(
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
        );
        await appendEvents(appenderIn(tx), USERS, { id: userId, owner: orgId, actor, state: null, events, createdAt: now });
        ids.push(userId);
      }
    });
  }
  await seeded.close();
  return ids;
}
