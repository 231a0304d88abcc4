import type { AppContext } from "./app/context.js";
import { ensureAdminToken, ensureDefaultOrg } from "./app/bootstrap.js";
import { KeyedLock } from "./app/keyed-lock.js";
import type { Config } from "./config.js";
import { deriveKeys } from "./crypto/keys.js";
import { PasswordHasher } from "./crypto/password-hasher.js";
import { loadServerSecret } from "./crypto/server-secret.js";
import type { Logger } from "./log.js";
import { createHandler } from "./server/handler.js";
import { listen } from "./server/server.js";
import { openStore } from "./store/store.js";

export interface Service {
  port: number;
  /** Graceful stop: in-flight calls finish (bounded), then the database closes. */
  stop(): Promise<void>;
}

/** The composition root: opens the store, bootstraps, and serves every protocol on one port. */
export async function serve(config: Config, log: Logger, announce: (line: string) => void): Promise<Service> {
  const keys = deriveKeys(loadServerSecret(config.dataDir, config.secret));
  const store = openStore(config.dataDir);
  const now = Date.now();
  const defaultOrgId = ensureDefaultOrg(store, now);
  const generatedToken = ensureAdminToken(store, keys, config.adminToken, now);
  if (generatedToken !== null) {
    announce(`Generated bootstrap admin token (shown only this once; only its digest is stored):\n  ${generatedToken}\n`);
  }

  const app: AppContext = {
    store,
    keys,
    log,
    clock: Date.now,
    defaultOrgId,
    userLocks: new KeyedLock(),
    hasher: new PasswordHasher(config.bcryptCost, config.hashConcurrency),
    settings: { codeTtlMs: config.codeTtlMs, passwordPolicy: config.passwordPolicy, resetUrlTemplate: config.resetUrlTemplate },
  };
  const shutdown = new AbortController();
  let open = true;
  const handler = createHandler(app, {
    corsOrigins: config.corsOrigins,
    maxRequestBytes: config.maxRequestBytes,
    isServing: () => open && !shutdown.signal.aborted,
    shutdownSignal: shutdown.signal,
  });
  const server = await listen(
    handler,
    {
      host: config.host,
      port: config.port,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      ...(config.tlsCert && config.tlsKey && { tls: { certFile: config.tlsCert, keyFile: config.tlsKey } }),
    },
    log,
  );
  log.info("listening", { host: config.host, port: server.port, tls: config.tlsCert !== undefined });

  return {
    port: server.port,
    async stop() {
      await server.close();
      shutdown.abort();
      open = false;
      store.close();
    },
  };
}
