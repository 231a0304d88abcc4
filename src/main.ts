#!/usr/bin/env node
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig, usage, type Config } from "./config.js";
import { createLogger } from "./log.js";
import { rebuildProjections } from "./app/rebuild-projections.js";
import { serve } from "./serve.js";
import { openStore } from "./store/store.js";

const COMMANDS = ["serve", "rebuild-projections"] as const;
type Command = (typeof COMMANDS)[number];

async function main(argv: string[]): Promise<number> {
  process.umask(0o077); // the database, its WAL and the secret are for this user's eyes only
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(usage() + "\n");
    return 0;
  }
  const command: Command = COMMANDS.includes(argv[0] as Command) ? (argv.shift() as Command) : "serve";
  let config: Config;
  try {
    config = loadConfig(process.env, argv);
    prepareDataDir(config.dataDir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`latchkey: invalid configuration: ${error.message}\n`);
    return 2;
  }
  const log = createLogger(config.logLevel);

  if (command === "rebuild-projections") {
    const store = openStore(config.dataDir);
    try {
      const events = rebuildProjections(store);
      log.info("projections rebuilt", { events });
    } finally {
      store.close();
    }
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
