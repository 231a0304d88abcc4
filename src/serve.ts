import { commonPasswords } from "./app/passwords/common-passwords.js";
import { createAppContext } from "./app/shared/create-app.js";
import { databaseHealth } from "./app/start-up/database-health.js";
import { TrustedProxies } from "./api/trusted-proxies.js";
import { ConfigError } from "./config/parsers.js";
import type { Config } from "./config/settings.js";
import { BreachedPasswords } from "./app/passwords/breached-passwords.js";
import type { Store } from "./store/store.js";
import { deriveKeys, type Keys } from "./crypto/keys.js";
import type { HashScheme } from "./crypto/hash-scheme.js";
import { recentCensus } from "./app/users/hash-census.js";
import { PasswordHasher } from "./crypto/password-hasher.js";
import { Peppers } from "./crypto/peppers.js";
import { recordExpiredTokens } from "./app/tokens/api-tokens.js";
import { startServing } from "./app/start-up/start-up.js";
import { loadServerSecret } from "./crypto/server-secret.js";
import type { Logger } from "./log.js";
import { createHandler, type HandlerOptions } from "./server/handler.js";
import type { AppContext } from "./app/shared/context.js";
import type { PendingMessage } from "./store/outbox.js";
import { listen } from "./server/server.js";
import { UI_PATHS } from "./server/ui-paths.js";
import { listenForMetrics } from "./server/metrics-listener.js";
import { Metrics } from "./metrics.js";
import { OutboxWorker } from "./notify/outbox-worker.js";
import { handlePublicResetRequest } from "./app/password-reset/request-password-reset.js";
import { loadTemplates } from "./notify/templates.js";
import { mailDirTransport, smsWebhookTransport, smtpTransport, type EmailTransport } from "./notify/transports.js";
import { openStore } from "./store/open-store.js";
import { resetMessageCode } from "./app/password-reset/reset-links.js";
import { open as openSealed } from "./crypto/sealed-box.js";
import { passwordHistoryKept } from "./domain/password-policy.js";

export interface Service {
  port: number;
  /** Graceful stop: in-flight calls finish (bounded), then the database closes. */
  stop(): Promise<void>;
}

/** The composition root: opens the store, bootstraps, and serves every protocol on one port. */
export async function serve(config: Config, log: Logger, announce: (line: string) => void): Promise<Service> {
  const keys = deriveKeys(loadServerSecret(config.database.dataDir, config.secrets.secret));
  const metrics = new Metrics();
  const store = await openStore({
    ...config.database,
    onCommit: (writes, seconds) => metrics.committed(writes, seconds),
    passwordHistoryKept: passwordHistoryKept(config.passwordPolicy),
    onBackgroundError: (error) =>
      store.backend === "sqlite"
        ? log.error("commit failed, writes rolled back", { error: error.message })
        : log.warn("database connection lost", { error: error.message }),
  });
  try {
    return await serveOn(store, keys, metrics, config, log, announce);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function serveOn(
  store: Store,
  keys: Keys,
  metrics: Metrics,
  config: Config,
  log: Logger,
  announce: (line: string) => void,
): Promise<Service> {
  const peppers = Peppers.from(config.secrets.peppers);
  const { replayed, generatedAdminToken } = await startServing(store, keys, peppers, config.secrets.adminToken, Date.now());
  if (replayed !== null) log.info("projections rebuilt for this version", { events: replayed });
  if (generatedAdminToken !== null) {
    announce(`Generated bootstrap admin token (shown only this once; only its digest is stored):\n  ${generatedAdminToken}\n`);
  }

  const worker = outboxWorker(config, store, keys, log, metrics, (message) => handlePublicResetRequest(app, message)); // started once app exists
  const hasher = new PasswordHasher(newHashScheme(config.hashing), config.hashing.concurrency, peppers, (kind, seconds) =>
    metrics.hashJobDone(kind, seconds),
  );
  const app = await createAppContext({
    store,
    keys,
    log,
    metrics,
    hasher,
    clock: Date.now,
    failureDelay: config.failureDelay,
    outboxQueued: () => worker.kick(),
    settings: appSettings(config),
  });
  const shutdown = new AbortController();
  const handler = createHandler(app, handlerOptions(config, store, log, shutdown.signal));
  const metricsListener = await serveMetrics(config.server.metricsAddress, metrics, { hasher, store }, log);
  const { host, port, shutdownTimeoutMs, tlsCert, tlsKey } = config.server;
  const server = await listen(
    handler,
    { host, port, shutdownTimeoutMs, limits: config.limits, ...(tlsCert && tlsKey && { tls: { certFile: tlsCert, keyFile: tlsKey } }) },
    log,
  );
  worker.start();
  const pruning = startPruning(store, log);
  if (config.passwordReset.urlTemplate === undefined && config.server.publicUrl === undefined) {
    app.settings.resetUrlTemplate = resetPageTemplate(ownOrigin(config.server, server.port));
  }
  log.info("listening", { host: config.server.host, port: server.port, tls: config.server.tlsCert !== undefined });

  return {
    port: server.port,
    async stop() {
      await server.close();
      await metricsListener?.close();
      shutdown.abort();
      clearInterval(pruning);
      await app.background.drain();
      await worker.stop();
      await hasher.close();
      app.settings.breachedPasswords?.close();
      await store.close();
    },
  };
}

/** GET /metrics on a listener of its own, when an address is configured. */
async function serveMetrics(
  address: Config["server"]["metricsAddress"],
  metrics: Metrics,
  { hasher, store }: { hasher: PasswordHasher; store: Store },
  log: Logger,
): Promise<{ close(): Promise<void> } | null> {
  if (address === undefined) return null;
  metrics.observe({
    hashJobs: () => hasher.jobs(),
    outboxPending: () => store.outbox.pendingByChannel(),
    pool: () => store.pool(),
    // Counting reads every user: at most every ten minutes, on each replica that is scraped.
    usersByScheme: recentCensus(store, 10 * 60_000),
  });
  return listenForMetrics(metrics, address, log);
}

function outboxWorker(
  config: Config,
  store: Store,
  keys: Keys,
  log: Logger,
  metrics: Metrics,
  handleInternal: (message: PendingMessage) => Promise<void>,
): OutboxWorker {
  return new OutboxWorker({
    store,
    log,
    templates: loadTemplates(config.notify.templateDir),
    // Rows queued before codes were computed carry them sealed; every newer one has none.
    resetCodeOf: (message) =>
      message.sealedSecret === null ? resetMessageCode(keys, message) : openSealed(keys.outbox, message.sealedSecret),
    email: emailTransport(config.notify),
    sms: config.notify.smsWebhookUrl === undefined ? null : smsWebhookTransport(config.notify.smsWebhookUrl),
    retry: config.outbox,
    clock: Date.now,
    leaseMs: config.outbox.leaseMs,
    onOutcome: (channel, outcome) => metrics.delivered(channel, outcome),
    handleInternal,
  });
}

function appSettings(config: Config): AppContext["settings"] {
  return {
    codeTtlMs: config.passwordReset.codeTtlMs,
    passwordPolicy: config.passwordPolicy,
    commonPasswords: commonPasswords(),
    breachedPasswords: openBreachedPasswords(config.breachedPasswords),
    lockout: config.lockout,
    sessionLifetimeMs: config.sessions.lifetimeMs,
    // Until the server listens and knows its own address, when nothing else names the reset page.
    resetUrlTemplate: config.passwordReset.urlTemplate ?? resetPageTemplate(config.server.publicUrl ?? "http://localhost"),
    resetUrlOrigins: config.passwordReset.urlOrigins,
    resetRequiresVerifiedEmail: config.passwordReset.requiresVerifiedEmail,
    notifyPasswordChanged: config.notify.passwordChanged,
  };
}

function handlerOptions(config: Config, store: Store, log: Logger, shutdown: AbortSignal): HandlerOptions {
  const databaseAnswers = databaseHealth(store);
  return {
    corsOrigins: config.server.corsOrigins,
    rateLimits: config.rateLimits,
    trustedProxies: new TrustedProxies(config.server.trustedProxies, config.server.proxyHeader, (hop) =>
      log.warn("a trusted proxy sent a hop that is no address: limited as a client of its own", { hop }),
    ),
    maxRequestBytes: config.limits.maxRequestBytes,
    isServing: async () => !shutdown.aborted && (await databaseAnswers()),
    shutdownSignal: shutdown,
    reflection: config.server.reflection,
    ui: config.ui.enabled ? config.ui : null,
  };
}

/**
 * Now and then, by any replica: expired rate limits and failure counts change no answer and are
 * dropped; tokens past their expiry (refused since) get their expiry recorded in the audit trail.
 */
function startPruning(store: Store, log: Logger): NodeJS.Timeout {
  return setInterval(() => {
    store.throttles.prune(Date.now()).catch((error: Error) => log.warn("pruning throttles failed", { error: error.message }));
    recordExpiredTokens(store, Date.now()).catch((error: Error) => log.warn("recording token expiry failed", { error: error.message }));
  }, 300_000).unref();
}

function emailTransport({ smtpUrl, mailDir, mailFrom }: Config["notify"]): EmailTransport | null {
  if (smtpUrl !== undefined) return smtpTransport(smtpUrl, mailFrom);
  if (mailDir !== undefined) return mailDirTransport(mailDir, mailFrom);
  return null;
}

/** The hosted reset page as a link template. */
function resetPageTemplate(origin: string): string {
  return `${origin}${UI_PATHS.reset}?userID={{.UserID}}&code={{.Code}}&orgID={{.OrgID}}`;
}

/** This server's own address, as a browser on this machine reaches it. */
function ownOrigin({ tlsCert, host }: Config["server"], port: number): string {
  const scheme = tlsCert === undefined ? "http" : "https";
  const name = ["0.0.0.0", "::", ""].includes(host) ? "localhost" : host.includes(":") ? `[${host}]` : host;
  return `${scheme}://${name}:${port}`;
}

function openBreachedPasswords({ file, minCount }: Config["breachedPasswords"]): BreachedPasswords | null {
  if (file === undefined) return null;
  try {
    return new BreachedPasswords(file, minCount);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError("LATCHKEY_PASSWORD_BLOCKLIST_FILE", `cannot be used: ${reason}`);
  }
}

function newHashScheme({ scheme, bcryptCost, argon2MemoryKiB, argon2Passes, argon2Parallelism }: Config["hashing"]): HashScheme {
  if (scheme === "bcrypt") return { name: "bcrypt", cost: bcryptCost };
  return { name: "argon2id", memoryKiB: argon2MemoryKiB, passes: argon2Passes, parallelism: argon2Parallelism };
}
