import type { AppContext } from "./app/context.js";
import { ensureAdminToken, ensureDefaultOrg } from "./app/bootstrap.js";
import { BackgroundJobs } from "./app/background.js";
import { commonPasswords } from "./app/common-passwords.js";
import { KeyedLock } from "./app/keyed-lock.js";
import { LoginAttempts } from "./app/login-attempts.js";
import { NameLockouts } from "./app/name-lockouts.js";
import { ensureProjectionsCurrent } from "./app/rebuild-projections.js";
import { generateToken } from "./crypto/codes.js";
import type { Config } from "./config.js";
import { deriveKeys } from "./crypto/keys.js";
import { PasswordHasher } from "./crypto/password-hasher.js";
import { loadServerSecret } from "./crypto/server-secret.js";
import type { Logger } from "./log.js";
import { createHandler } from "./server/handler.js";
import { listen } from "./server/server.js";
import { OutboxWorker } from "./notify/outbox-worker.js";
import { loadTemplates } from "./notify/templates.js";
import { mailDirTransport, smsWebhookTransport, smtpTransport, type EmailTransport } from "./notify/transports.js";
import { openStore } from "./store/store.js";
import { resetMessageCode } from "./app/password-reset.js";
import { open as openSealed } from "./crypto/sealed-box.js";
import { passwordHistoryKept } from "./domain/password-policy.js";

export interface Service {
  port: number;
  /** Graceful stop: in-flight calls finish (bounded), then the database closes. */
  stop(): Promise<void>;
}

/** The composition root: opens the store, bootstraps, and serves every protocol on one port. */
export async function serve(config: Config, log: Logger, announce: (line: string) => void): Promise<Service> {
  const keys = deriveKeys(loadServerSecret(config.dataDir, config.secret));
  const store = openStore(
    config.dataDir,
    (error) => log.error("commit failed, writes rolled back", { error: error.message }),
    passwordHistoryKept(config.passwordPolicy),
  );
  const now = Date.now();
  const defaultOrgId = ensureDefaultOrg(store, now);
  const replayed = ensureProjectionsCurrent(store);
  if (replayed !== null) log.info("projections rebuilt for this version", { events: replayed });
  const generatedToken = ensureAdminToken(store, keys, config.adminToken, now);
  if (generatedToken !== null) {
    announce(`Generated bootstrap admin token (shown only this once; only its digest is stored):\n  ${generatedToken}\n`);
  }

  const worker = new OutboxWorker({
    store,
    log,
    templates: loadTemplates(config.templateDir),
    // Rows queued before codes were computed carry them sealed; every newer one has none.
    resetCodeOf: (message) =>
      message.sealedSecret === null ? resetMessageCode(keys, message) : openSealed(keys.outbox, message.sealedSecret),
    email: emailTransport(config),
    sms: config.smsWebhookUrl === undefined ? null : smsWebhookTransport(config.smsWebhookUrl),
    retry: { maxAttempts: config.outboxMaxAttempts, baseDelayMs: config.outboxRetryBaseMs, maxDelayMs: config.outboxRetryMaxMs },
    clock: Date.now,
  });
  const hasher = new PasswordHasher(config.bcryptCost, config.hashConcurrency);
  const dummyHash = hasher.hash(generateToken());
  dummyHash.catch(() => {}); // made in the background: a failure shows where it is awaited, not as a crash
  const app: AppContext = {
    store,
    keys,
    log,
    hasher,
    dummyHash,
    clock: Date.now,
    defaultOrgId,
    userLocks: new KeyedLock(),
    loginAttempts: new LoginAttempts({ baseMs: config.failureDelayMs, maxMs: config.failureDelayMaxMs }),
    nameLockouts: new NameLockouts(),
    background: new BackgroundJobs(log),
    outboxQueued: () => worker.kick(),
    settings: {
      codeTtlMs: config.codeTtlMs,
      passwordPolicy: config.passwordPolicy,
      commonPasswords: commonPasswords(),
      lockout: { maxPasswordAttempts: config.maxPasswordAttempts, lockoutDurationMs: config.lockoutDurationMs },
      sessionLifetimeMs: config.sessionLifetimeMs,
      resetUrlTemplate: config.resetUrlTemplate,
      resetUrlOrigins: config.resetUrlOrigins,
      notifyPasswordChanged: config.notifyPasswordChanged,
    },
  };
  const shutdown = new AbortController();
  let open = true;
  const handler = createHandler(app, {
    corsOrigins: config.corsOrigins,
    rateLimits: { perAddress: config.rateLimitPerAddress, perUser: config.rateLimitPerUser, ipv6PrefixBits: config.rateLimitIpv6Prefix },
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
      limits: {
        idleTimeoutMs: config.idleTimeoutMs,
        requestTimeoutMs: config.requestTimeoutMs,
        maxConnections: config.maxConnections,
        maxStreamsPerConnection: config.maxStreamsPerConnection,
      },
      ...(config.tlsCert && config.tlsKey && { tls: { certFile: config.tlsCert, keyFile: config.tlsKey } }),
    },
    log,
  );
  worker.start();
  log.info("listening", { host: config.host, port: server.port, tls: config.tlsCert !== undefined });

  return {
    port: server.port,
    async stop() {
      await server.close();
      shutdown.abort();
      open = false;
      await app.background.drain();
      await worker.stop();
      await hasher.close();
      store.close();
    },
  };
}

function emailTransport(config: Config): EmailTransport | null {
  if (config.smtpUrl !== undefined) return smtpTransport(config.smtpUrl, config.mailFrom);
  if (config.mailDir !== undefined) return mailDirTransport(config.mailDir, config.mailFrom);
  return null;
}
