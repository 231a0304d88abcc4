#!/usr/bin/env node
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig, requireSharedSecret, usage, type Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { createApiToken } from "./app/api-tokens.js";
import { ensureSecretMatches } from "./app/bootstrap.js";
import { rebuildProjections } from "./app/rebuild-projections.js";
import { PERMISSIONS } from "./api/auth.js";
import { deriveKeys } from "./crypto/keys.js";
import { dataDirSecretAsSetting, loadServerSecret } from "./crypto/server-secret.js";
import { migrateStore } from "./app/migrate-store.js";
import { serve } from "./serve.js";
import { openStore } from "./store/open-store.js";
import type { Store } from "./store/store.js";
import { passwordHistoryKept } from "./domain/password-policy.js";

const COMMANDS = ["serve", "rebuild-projections", "token", "migrate-store"] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // the database, its WAL and the secret are for this user's eyes only
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage() + "\n");
    return 0;
  }
  const command: Command = COMMANDS.includes(argv[0] as Command) ? (argv.shift() as Command) : "serve";
  let config: Config;
  let tokenRequest: { name: string; permissions: string[] } | undefined;
  try {
    if (command === "token") tokenRequest = takeTokenArguments(argv);
    config = loadConfig(process.env, argv);
    if (command === "migrate-store" && config.databaseUrl === undefined) {
      throw new ConfigError("LATCHKEY_DATABASE_URL", "must name the PostgreSQL database to copy the SQLite store into");
    }
    // migrate-store reads the secret of the SQLite installation it copies, which may be in its data dir.
    if (command !== "migrate-store") requireSharedSecret(config);
    // With PostgreSQL nothing lives in the data dir: the secret comes from configuration.
    if (config.databaseUrl === undefined || command === "migrate-store") prepareDataDir(config.dataDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`latchkey: invalid configuration: ${error.message}\n`);
    return 2;
  }
  const log = createLogger(config.logLevel);

  if (tokenRequest !== undefined) {
    const { name, permissions } = tokenRequest;
    await withStore(config, async (store) => {
      const keys = deriveKeys(loadServerSecret(config.dataDir, config.secret));
      await ensureSecretMatches(store, keys);
      const { tokenId, token } = await createApiToken(store, keys, name, permissions, Date.now());
      process.stdout.write(`Created API token ${tokenId} (${permissions.join(", ")}). It is shown only this once:\n${token}\n`);
    });
    return 0;
  }

  if (command === "rebuild-projections") {
    await withStore(config, async (store) => {
      const events = await rebuildProjections(store);
      log.info("projections rebuilt", { events });
    });
    return 0;
  }

  if (command === "migrate-store") {
    await migrate(config, log);
    return 0;
  }

  const service = await serve(config, log, (line) => process.stderr.write(line));
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info("shutting down", { signal });
      resolve();
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  await service.stop();
  log.info("stopped");
  return 0;
}

/** Copies the SQLite store in the data dir into the empty PostgreSQL database LATCHKEY_DATABASE_URL names. */
async function migrate(config: Config, log: Logger): Promise<void> {
  const keys = deriveKeys(loadServerSecret(config.dataDir, config.secret));
  await withStore({ ...config, databaseUrl: undefined }, async (source) => {
    await ensureSecretMatches(source, keys);
    await withStore(config, async (target) => {
      const events = await migrateStore(source, target);
      log.info("store migrated", { events });
    });
  });
  const setting = dataDirSecretAsSetting(config.dataDir, config.secret);
  if (setting !== null) {
    const path = join(config.dataDir, "secret-for-replicas");
    writeFileSync(path, setting + "\n", { mode: 0o600 });
    process.stdout.write(`Every replica needs this installation's secret: give each LATCHKEY_SECRET_FILE=${path} (or a copy of it).\n`);
  }
}

async function withStore(config: Config, work: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    passwordHistoryKept: passwordHistoryKept(config.passwordPolicy),
  });
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

/** `token create --name NAME --permissions a,b`: takes its own arguments out of argv. */
function takeTokenArguments(argv: string[]): { name: string; permissions: string[] } {
  if (argv.shift() !== "create") throw new ConfigError("token", "takes one subcommand: create");
  const take = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(flag + "="));
    if (i < 0) return undefined;
    const [arg] = argv.splice(i, 1);
    return arg!.includes("=") ? arg!.slice(flag.length + 1) : argv.splice(i, 1)[0];
  };
  const permissions = (take("--permissions") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (permissions.length === 0) throw new ConfigError("--permissions", `is required: a comma-separated list of ${PERMISSIONS.join(", ")}`);
  const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new ConfigError("--permissions", `has unknown permissions: ${unknown.join(", ")} (known: ${PERMISSIONS.join(", ")})`);
  return { name: take("--name") ?? "api token", permissions };
}

function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Write for real: permission bits say nothing for root or on a read-only mount.
    const probe = join(dataDir, `.write-probe-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
  } catch {
    throw new ConfigError("LATCHKEY_DATA_DIR", `is not a writable directory: ${dataDir}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`latchkey: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
