#!/usr/bin/env node
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, duration } from "./config/parsers.js";
import { loadConfig, requireSharedSecret } from "./config/load-config.js";
import { usage } from "./config/settings-docs.js";
import type { Config } from "./config/settings.js";
import { createLogger, type Logger } from "./log.js";
import {
  createApiToken,
  listApiTokens,
  recordUnrecordedTokens,
  revokeApiToken,
  TokenNotFoundError,
  type ListedToken,
} from "./app/api-tokens.js";
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
  let tokenCommand: TokenCommand | undefined;
  try {
    if (command === "token") tokenCommand = takeTokenArguments(argv);
    config = loadConfig(process.env, argv);
    if (command === "migrate-store" && config.database.url === undefined) {
      throw new ConfigError("LATCHKEY_DATABASE_URL", "must name the PostgreSQL database to copy the SQLite store into");
    }
    // migrate-store reads the secret of the SQLite installation it copies, which may be in its data dir.
    if (command !== "migrate-store") requireSharedSecret(config);
    // With PostgreSQL nothing lives in the data dir: the secret comes from configuration.
    if (config.database.url === undefined || command === "migrate-store") prepareDataDir(config.database.dataDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`latchkey: invalid configuration: ${error.message}\n`);
    return 2;
  }
  const log = createLogger(config.server.logLevel);

  if (tokenCommand !== undefined) {
    const request = tokenCommand;
    return withStore(config, async (store) => {
      await ensureSecretMatches(store, deriveKeys(loadServerSecret(config.database.dataDir, config.secrets.secret)));
      await recordUnrecordedTokens(store);
      return runTokenCommand(store, config, request);
    });
  }

  if (command === "rebuild-projections") {
    await withStore(config, async (store) => {
      await recordUnrecordedTokens(store);
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
  const keys = deriveKeys(loadServerSecret(config.database.dataDir, config.secrets.secret));
  await withStore({ ...config, database: { ...config.database, url: undefined } }, async (source) => {
    await ensureSecretMatches(source, keys);
    await recordUnrecordedTokens(source);
    await withStore(config, async (target) => {
      const events = await migrateStore(source, target);
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

type TokenCommand =
  | { kind: "create"; name: string; permissions: string[]; expiresInMs: number | null }
  | { kind: "list"; json: boolean }
  | { kind: "revoke"; which: string };

/** `token create|list|revoke …`: takes its own arguments out of argv, leaving the settings. */
function takeTokenArguments(argv: string[]): TokenCommand {
  const take = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(flag + "="));
    if (i < 0) return undefined;
    const [arg] = argv.splice(i, 1);
    return arg!.includes("=") ? arg!.slice(flag.length + 1) : argv.splice(i, 1)[0];
  };
  const subcommand = argv.shift();
  if (subcommand === "list") {
    const i = argv.indexOf("--json");
    if (i >= 0) argv.splice(i, 1);
    return { kind: "list", json: i >= 0 };
  }
  if (subcommand === "revoke") {
    const which = argv[0] !== undefined && !argv[0].startsWith("--") ? argv.shift()! : undefined;
    if (which === undefined) throw new ConfigError("token revoke", "needs the id or name of the token to revoke (token list shows them)");
    return { kind: "revoke", which };
  }
  if (subcommand !== "create") throw new ConfigError("token", "takes one subcommand: create, list or revoke");
  const permissions = (take("--permissions") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (permissions.length === 0) throw new ConfigError("--permissions", `is required: a comma-separated list of ${PERMISSIONS.join(", ")}`);
  const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new ConfigError("--permissions", `has unknown permissions: ${unknown.join(", ")} (known: ${PERMISSIONS.join(", ")})`);
  const expires = take("--expires");
  const name = take("--name") ?? "api token";
  if (name.trim() === "" || name.length > 200) throw new ConfigError("--name", "must be 1 to 200 characters");
  return { kind: "create", name, permissions, expiresInMs: expires === undefined ? null : duration(expires, "--expires") };
}

async function runTokenCommand(store: Store, config: Config, command: TokenCommand): Promise<number> {
  const keys = deriveKeys(loadServerSecret(config.database.dataDir, config.secrets.secret));
  const now = Date.now();
  switch (command.kind) {
    case "create": {
      const expiresAt = command.expiresInMs === null ? null : now + command.expiresInMs;
      const { tokenId, token } = await createApiToken(store, keys, { ...command, expiresAt }, now);
      const until = expiresAt === null ? "" : `, expires ${new Date(expiresAt).toISOString()}`;
      process.stdout.write(
        `Created API token ${tokenId} (${command.permissions.join(", ")}${until}). It is shown only this once:\n${token}\n`,
      );
      return 0;
    }
    case "list": {
      const tokens = await listApiTokens(store, now);
      process.stdout.write(command.json ? JSON.stringify(tokens, null, 2) + "\n" : tokenTable(tokens));
      return 0;
    }
    case "revoke":
      try {
        const revoked = await revokeApiToken(store, command.which, now);
        process.stdout.write(`Revoked API token ${revoked.tokenId} (${revoked.name}): running servers refuse it from now on.\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof TokenNotFoundError)) throw error;
        process.stderr.write(`latchkey: ${error.message}\n`);
        return 1;
      }
  }
}

function tokenTable(tokens: readonly ListedToken[]): string {
  const time = (t: number | null) => (t === null ? "-" : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));
  const rows = [
    ["ID", "NAME", "STATUS", "PERMISSIONS", "CREATED", "LAST USED", "EXPIRES"],
    ...tokens.map((t) => [t.tokenId, t.name, t.status, t.permissions.join(","), time(t.createdAt), time(t.lastUsedAt), time(t.expiresAt)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
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
