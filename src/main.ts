#!/usr/bin/env node
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./config/parsers.js";
import { loadConfig, requireSharedSecret } from "./config/load-config.js";
import { usage } from "./config/settings-docs.js";
import type { Config } from "./config/settings.js";
import { createLogger } from "./log.js";
import { rebuildProjections } from "./app/start-up/rebuild-projections.js";
import { migrate, withCheckedStore } from "./cli/store-commands.js";
import { runTokenCommand, takeTokenArguments, type TokenCommand } from "./cli/token-command.js";
import { runImportUsers } from "./cli/import/import-command.js";
import { runHashReport, takeHashReportArguments, type HashReport } from "./cli/hash-report-command.js";
import { serve } from "./serve.js";

const COMMANDS = ["serve", "rebuild-projections", "token", "migrate-store", "hash-report"] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // the database, its WAL and the secret are for this user's eyes only
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage() + "\n");
    return 0;
  }
  // A client of the API, with no store or settings of its own.
  if (argv[0] === "import-users") return runImportUsers(argv.slice(1), process.env);
  const command: Command = COMMANDS.includes(argv[0] as Command) ? (argv.shift() as Command) : "serve";
  let config: Config;
  let tokenCommand: TokenCommand | undefined;
  let hashReport: HashReport | undefined;
  try {
    if (command === "token") tokenCommand = takeTokenArguments(argv);
    if (command === "hash-report") hashReport = takeHashReportArguments(argv);
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
    return withCheckedStore(config, (store, keys) => runTokenCommand(store, keys, request));
  }

  if (hashReport !== undefined) {
    const report = hashReport;
    return withCheckedStore(config, (store) => runHashReport(store, report));
  }

  if (command === "rebuild-projections") {
    await withCheckedStore(config, async (store) => {
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
