import { progressOn } from "./progress.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/settings.js";
import { migrateStore } from "../app/start-up/migrate-store.js";
import { openedStoreChecks } from "../app/start-up/start-up.js";
import { deriveKeys, type Keys } from "../crypto/keys.js";
import { dataDirSecretAsSetting, loadServerSecret } from "../crypto/server-secret.js";
import { passwordHistoryKept } from "../domain/password-policy.js";
import type { Logger } from "../log.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";

/** Copies the SQLite store in the data dir into the empty PostgreSQL database LATCHKEY_DATABASE_URL names. */
export async function migrate(config: Config, log: Logger): Promise<void> {
  await withCheckedStore({ ...config, database: { ...config.database, url: undefined } }, async (source) => {
    await withStore(config, async (target) => {
      const progress = progressOn(process.stderr, "migrate-store", "events");
      const events = await migrateStore(source, target, (copied, total) => progress.update(copied, copied / Math.max(1, total)));
      progress.finish(events);
      log.info("store migrated", { events });
    });
  });
  const setting = dataDirSecretAsSetting(config.database.dataDir, config.secrets.secret);
  if (setting !== null) {
    const path = join(config.database.dataDir, "secret-for-replicas");
    writeFileSync(path, setting + "\n", { mode: 0o600 });
    process.stdout.write(`Every replica needs this installation's secret: give each LATCHKEY_SECRET_FILE=${path} (or a copy of it).\n`);
  }
}

/** Opens the store, makes the checks every command makes, and hands it to `work`. */
export function withCheckedStore<T>(config: Config, work: (store: Store, keys: Keys) => Promise<T>): Promise<T> {
  const keys = deriveKeys(loadServerSecret(config.database.dataDir, config.secrets.secret));
  return withStore(config, async (store) => {
    await openedStoreChecks(store, keys);
    return work(store, keys);
  });
}

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({
    ...config.database,
    poolSize: 2,
    passwordHistoryKept: passwordHistoryKept(config.passwordPolicy),
  });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
