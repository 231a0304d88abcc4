import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { availableParallelism } from "node:os";
import { DEFAULT_PASSWORD_POLICY, PASSWORD_PROFILES, type PasswordPolicy } from "./domain/password-policy.js";
import { urlTemplateViolations } from "./domain/url-template.js";
import type { ProxyHeader } from "./api/trusted-proxies.js";
import type { LogLevel } from "./log.js";

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… selects PostgreSQL (several replicas); unset, SQLite in the data dir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /** How long start-up waits for an unreachable database before it gives up. */
  databaseConnectTimeoutMs: number;
  /** Bootstrap admin token; when unset, a fresh data dir gets a generated one. */
  adminToken: string | undefined;
  /** Server secret; when unset, generated into the data dir. */
  secret: string | undefined;
  /** Peppers for password hashes, the current one first; empty: none. */
  peppers: { id: string; secret: string }[];
  bcryptCost: number;
  /** How many bcrypt jobs run at once (defaults to the machine's cores). */
  hashConcurrency: number;
  codeTtlMs: number;
  corsOrigins: string[];
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** Unset: the hosted reset page under publicUrl (or the server's own address once it listens). */
  resetUrlTemplate: string | undefined;
  /** Where users reach this server, for the links it sends: https://accounts.example.com. */
  publicUrl: string | undefined;
  /** Serve the hosted password pages under /ui/. */
  ui: boolean;
  /** Answer gRPC server reflection. */
  reflection: boolean;
  /** Where GET /metrics listens (Prometheus); off when unset. */
  metricsAddress: { host: string; port: number } | undefined;
  /** A directory with a brand.css for the hosted pages. */
  uiCssDir: string | undefined;
  /** The product name the hosted pages show. */
  uiProductName: string | undefined;
  passwordPolicy: PasswordPolicy;
  maxRequestBytes: number;
  /** A connection with no request in progress is closed after this long. */
  idleTimeoutMs: number;
  /** A request's headers and body must arrive within this long. */
  requestTimeoutMs: number;
  maxConnections: number;
  maxStreamsPerConnection: number;
  shutdownTimeoutMs: number;
  logLevel: LogLevel;
  /** Consecutive failed password checks that lock a user; 0 never locks. */
  maxPasswordAttempts: number;
  /** The first password lockout's length, doubling for each further one in a row; 0: until unlocked. */
  lockoutDurationMs: number;
  sessionLifetimeMs: number;
  /** Origins a caller-supplied reset link may point at. */
  resetUrlOrigins: string[];
  /** Anonymous calls per minute from one client address; 0 turns the limit off. */
  rateLimitPerAddress: number;
  /** Anonymous calls per minute aimed at one user or login name; 0 turns the limit off. */
  rateLimitPerUser: number;
  /** IPv6 clients are limited per prefix of this many bits (one client often holds a /64). */
  rateLimitIpv6Prefix: number;
  /** Have I Been Pwned's SHA-1 file (or one like it): passwords in it are refused. */
  passwordBlocklistFile: string | undefined;
  passwordBlocklistMinCount: number;
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For or Forwarded names the client. */
  trustedProxies: string[];
  /** The one header the trusted proxies write the client's address into. */
  proxyHeader: ProxyHeader;
  failureDelayMs: number;
  failureDelayMaxMs: number;
  /** smtp:// or smtps://, credentials in the URL. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Development: write e-mail as .eml files here instead of sending it. */
  mailDir: string | undefined;
  smsWebhookUrl: string | undefined;
  /** Operator's message templates; any file missing there comes from the English defaults. */
  templateDir: string | undefined;
  notifyPasswordChanged: boolean;
  outboxMaxAttempts: number;
  outboxRetryBaseMs: number;
  outboxRetryMaxMs: number;
  /** How long a replica holds the messages it claimed before another may send them. */
  outboxLeaseMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting} ${message}`);
    this.name = "ConfigError";
  }
}

type Parse<T> = (raw: string, setting: string) => T;

interface Setting<K extends keyof Config = keyof Config> {
  env: string;
  key: K;
  description: string;
  parse: Parse<Config[K]>;
  /** Used when neither the environment nor a flag sets it. */
  fallback: () => Config[K];
  /**
   * A secret: accepted from the environment or from the file `<env>_FILE` names, never as a flag,
   * which every local user can read in the process list.
   */
  secret?: true;
}

const integer =
  (min: number, max: number): Parse<number> =>
  (raw, setting) => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(setting, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(setting, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };

const text: Parse<string> = (raw, setting) => {
  if (raw.trim() === "") throw new ConfigError(setting, "must not be empty");
  return raw;
};

const optionalText: Parse<string | undefined> = (raw, setting) => text(raw, setting);

const MIN_SECRET_CHARACTERS = 43; // 32 random bytes, base64url-encoded
const MIN_DISTINCT_CHARACTERS = 12;

/** Enough entropy to stand in for 32 random bytes: long, and not a repeated pattern. */
const strongSecret: Parse<string | undefined> = (raw, setting) => {
  const value = raw.trim();
  if (value.length < MIN_SECRET_CHARACTERS || new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    throw new ConfigError(
      setting,
      `must be at least ${MIN_SECRET_CHARACTERS} characters of random text, such as 32 random bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return value;
};

const boolean: Parse<boolean> = (raw, setting) => {
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(setting, `must be true or false, got "${raw}"`);
};

const oneOf =
  <T extends string>(...values: T[]): Parse<T> =>
  (raw, setting) => {
    if (!values.includes(raw as T)) throw new ConfigError(setting, `must be one of ${values.join(", ")}, got "${raw}"`);
    return raw as T;
  };

/** A URL with one of these schemes. Never echoed: it may carry credentials. */
const urlWith =
  (...protocols: string[]): Parse<string | undefined> =>
  (raw, setting) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(setting, `must be a URL (${protocols.join(" or ")})`);
    }
    if (!protocols.includes(url.protocol.replace(/:$/, ""))) throw new ConfigError(setting, `must be a URL (${protocols.join(" or ")})`);
    return raw;
  };

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "15m", "1h", "90d", "250ms", or plain seconds; 0 too. */
const durationOrZero: Parse<number> = (raw, setting) => {
  const match = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(setting, `must be a duration such as 30s, 15m, 1h or 90d, got "${raw}"`);
  return Number(match[1]) * DURATION_UNITS[match[2] ?? "s"]!;
};

export const duration: Parse<number> = (raw, setting) => {
  const ms = durationOrZero(raw, setting);
  if (ms <= 0) throw new ConfigError(setting, "must be longer than zero");
  return ms;
};

const origins: Parse<string[]> = (raw, setting) =>
  raw
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "")
    .map((o) => {
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        throw new ConfigError(setting, `has an entry that is not an origin: "${o}"`);
      }
      if (url.origin !== o.replace(/\/$/, ""))
        throw new ConfigError(setting, `entries must be bare origins like https://app.example.com, got "${o}"`);
      return url.origin;
    });

const PEPPER_ID = /^[A-Za-z0-9_.-]{1,32}$/;

/** "id:secret" entries, one per line (or comma-separated); the first is the current pepper. */
const peppers: Parse<{ id: string; secret: string }[]> = (raw, setting) => {
  const entries = raw
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const colon = line.indexOf(":");
      const id = line.slice(0, colon);
      if (colon < 0 || !PEPPER_ID.test(id)) {
        throw new ConfigError(setting, "entries must be ID:SECRET, the id 1 to 32 letters, digits, '.', '_' or '-' (one entry per line)");
      }
      return { id, secret: strongSecret(line.slice(colon + 1), `${setting} (pepper "${id}")`)! };
    });
  if (entries.length === 0) throw new ConfigError(setting, "has no ID:SECRET entry");
  const ids = entries.map((e) => e.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new ConfigError(setting, `names pepper "${repeated}" twice`);
  return entries;
};

/** host:port, [v6]:port or :port (every interface). */
const listenAddress: Parse<{ host: string; port: number } | undefined> = (raw, setting) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new ConfigError(setting, `must be host:port, such as 127.0.0.1:9464, got "${raw}"`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
};

const linkTemplate: Parse<string> = (raw, setting) => {
  const violation = urlTemplateViolations(raw, setting)[0];
  if (violation !== undefined) throw new ConfigError(setting, violation.description);
  return raw;
};

const policy =
  <K extends keyof PasswordPolicy>(key: K, parse: Parse<PasswordPolicy[K]>): Parse<Partial<PasswordPolicy>> =>
  (raw, setting) => ({ [key]: parse(raw, setting) });

const SETTINGS: Setting[] = [
  {
    env: "LATCHKEY_PORT",
    key: "port",
    description: "TCP port for gRPC, gRPC-web and Connect",
    parse: integer(0, 65535),
    fallback: () => 8080,
  },
  { env: "LATCHKEY_HOST", key: "host", description: "address to listen on (0.0.0.0 for all)", parse: text, fallback: () => "127.0.0.1" },
  {
    env: "LATCHKEY_DATA_DIR",
    key: "dataDir",
    description: "holds the SQLite database and the server secret",
    parse: text,
    fallback: () => "./data",
  },
  {
    env: "LATCHKEY_DATABASE_URL",
    key: "databaseUrl",
    description: "postgres://user:password@host:5432/db[?sslmode=…]: PostgreSQL for several replicas (default: SQLite in the data dir)",
    parse: postgresUrl,
    fallback: () => undefined,
    secret: true,
  },
  {
    env: "LATCHKEY_DATABASE_POOL_SIZE",
    key: "databasePoolSize",
    description: "PostgreSQL connections per replica (default: 4 per CPU core, at least 4)",
    parse: integer(1, 1000),
    // Enough to keep both the event loop and the database busy.
    fallback: () => Math.max(4, 4 * availableParallelism()),
  },
  {
    env: "LATCHKEY_DATABASE_CONNECT_TIMEOUT",
    key: "databaseConnectTimeoutMs",
    description: "how long start-up waits for an unreachable PostgreSQL before it exits",
    parse: duration,
    fallback: () => 30_000,
  },
  {
    env: "LATCHKEY_ADMIN_TOKEN",
    key: "adminToken",
    description: "bootstrap admin bearer token, 43+ random characters (generated and printed once if unset)",
    parse: strongSecret,
    fallback: () => undefined,
    secret: true,
  },
  {
    env: "LATCHKEY_SECRET",
    key: "secret",
    description: "server secret for digests and encryption, 43+ random characters (generated into the data dir if unset)",
    parse: strongSecret,
    fallback: () => undefined,
    secret: true,
  },
  {
    env: "LATCHKEY_PEPPER",
    key: "peppers",
    description:
      "ID:SECRET per line, the current first: password hashes are made under a key kept outside the database (older peppers still verify)",
    parse: peppers,
    fallback: () => [],
    secret: true,
  },
  { env: "LATCHKEY_BCRYPT_COST", key: "bcryptCost", description: "bcrypt cost factor, 4..31", parse: integer(4, 31), fallback: () => 12 },
  {
    env: "LATCHKEY_HASH_CONCURRENCY",
    key: "hashConcurrency",
    description: "bcrypt threads, run at the lowest CPU priority (default: CPU cores)",
    parse: integer(1, 256),
    fallback: () => availableParallelism(),
  },
  {
    env: "LATCHKEY_CODE_TTL",
    key: "codeTtlMs",
    description: "how long a password reset code is valid (e.g. 1h, 15m)",
    parse: duration,
    fallback: () => 3_600_000,
  },
  {
    env: "LATCHKEY_CORS_ORIGINS",
    key: "corsOrigins",
    description: "comma-separated browser origins allowed by CORS",
    parse: origins,
    fallback: () => [],
  },
  {
    env: "LATCHKEY_TLS_CERT",
    key: "tlsCert",
    description: "PEM certificate file; with LATCHKEY_TLS_KEY serves TLS",
    parse: optionalText,
    fallback: () => undefined,
  },
  { env: "LATCHKEY_TLS_KEY", key: "tlsKey", description: "PEM private key file", parse: optionalText, fallback: () => undefined },
  {
    env: "LATCHKEY_RESET_URL_TEMPLATE",
    key: "resetUrlTemplate",
    description: "default reset link; placeholders {{.UserID}} {{.Code}} {{.OrgID}}",
    parse: linkTemplate,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_PASSWORD_BLOCKLIST_FILE",
    key: "passwordBlocklistFile",
    description: "breached passwords, in Have I Been Pwned's sorted SHA-1:COUNT format, any size: refused as new passwords",
    parse: text,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_PASSWORD_BLOCKLIST_MIN_COUNT",
    key: "passwordBlocklistMinCount",
    description: "how often a password must appear in the breached list to be refused (default 1)",
    parse: integer(1, 1_000_000_000),
    fallback: () => 1,
  },
  {
    env: "LATCHKEY_TRUSTED_PROXIES",
    key: "trustedProxies",
    description: "proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For or Forwarded names the client; none by default",
    parse: cidrList,
    fallback: () => [],
  },
  {
    env: "LATCHKEY_PROXY_HEADER",
    key: "proxyHeader",
    description: "the header the trusted proxies write: x-forwarded-for (default) or forwarded; the other is ignored",
    parse: oneOf<ProxyHeader>("x-forwarded-for", "forwarded"),
    fallback: () => "x-forwarded-for",
  },
  {
    env: "LATCHKEY_PUBLIC_URL",
    key: "publicUrl",
    description: "where users reach this server (https://accounts.example.com); the default reset link is its /ui/password/reset",
    parse: publicUrl,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_METRICS_ADDR",
    key: "metricsAddress",
    description: "host:port for Prometheus metrics (GET /metrics), on a listener apart from the API (off when unset)",
    parse: listenAddress,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_REFLECTION",
    key: "reflection",
    description: "answer gRPC server reflection (v1 and v1alpha), so grpcurl and buf curl need no protos",
    parse: boolean,
    fallback: () => true,
  },
  { env: "LATCHKEY_UI", key: "ui", description: "serve the hosted password pages under /ui/", parse: boolean, fallback: () => true },
  {
    env: "LATCHKEY_UI_CSS_DIR",
    key: "uiCssDir",
    description: "directory with a brand.css that restyles the hosted pages",
    parse: text,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_UI_PRODUCT_NAME",
    key: "uiProductName",
    description: "the product name the hosted pages show (default Latchkey)",
    parse: text,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_MAX_REQUEST_BYTES",
    key: "maxRequestBytes",
    description: "largest request message accepted",
    parse: integer(1024, 16 * 1024 * 1024),
    fallback: () => 256 * 1024,
  },
  {
    env: "LATCHKEY_IDLE_TIMEOUT",
    key: "idleTimeoutMs",
    description: "close connections that make no request for this long",
    parse: duration,
    fallback: () => 60_000,
  },
  {
    env: "LATCHKEY_REQUEST_TIMEOUT",
    key: "requestTimeoutMs",
    description: "a request's headers and body must arrive within this long",
    parse: duration,
    fallback: () => 30_000,
  },
  {
    env: "LATCHKEY_MAX_CONNECTIONS",
    key: "maxConnections",
    description: "open connections at once; more are refused",
    parse: integer(1, 1_000_000),
    fallback: () => 10_000,
  },
  {
    env: "LATCHKEY_MAX_STREAMS_PER_CONNECTION",
    key: "maxStreamsPerConnection",
    description: "concurrent HTTP/2 streams on one connection",
    parse: integer(1, 10_000),
    fallback: () => 100,
  },
  {
    env: "LATCHKEY_MAX_PASSWORD_ATTEMPTS",
    key: "maxPasswordAttempts",
    description: "failed password checks in a row that lock a user (0: never)",
    parse: integer(0, 1000),
    fallback: () => 10,
  },
  {
    env: "LATCHKEY_LOCKOUT_DURATION",
    key: "lockoutDurationMs",
    description: "how long a password lockout lasts, doubling for repeated ones (0: until an administrator unlocks)",
    parse: durationOrZero,
    fallback: () => 15 * 60_000,
  },
  {
    env: "LATCHKEY_SESSION_LIFETIME",
    key: "sessionLifetimeMs",
    description: "how long a session lasts at most",
    parse: duration,
    fallback: () => 12 * 3_600_000,
  },
  {
    env: "LATCHKEY_RESET_URL_ORIGINS",
    key: "resetUrlOrigins",
    description: "comma-separated origins a public reset request's url_template may use",
    parse: origins,
    fallback: () => [],
  },
  {
    env: "LATCHKEY_RATE_LIMIT_PER_ADDRESS",
    key: "rateLimitPerAddress",
    description: "anonymous calls per minute from one address (0: off)",
    parse: integer(0, 1_000_000),
    fallback: () => 60,
  },
  {
    env: "LATCHKEY_RATE_LIMIT_PER_USER",
    key: "rateLimitPerUser",
    description: "anonymous calls per minute aimed at one user (0: off)",
    parse: integer(0, 1_000_000),
    fallback: () => 10,
  },
  {
    env: "LATCHKEY_RATE_LIMIT_IPV6_PREFIX",
    key: "rateLimitIpv6Prefix",
    description: "IPv6 clients are limited per prefix of this length (bits)",
    parse: integer(16, 128),
    fallback: () => 64,
  },
  {
    env: "LATCHKEY_FAILURE_DELAY",
    key: "failureDelayMs",
    description: "delay after a failed login, doubling with each one (0: off)",
    parse: durationOrZero,
    fallback: () => 250,
  },
  {
    env: "LATCHKEY_FAILURE_DELAY_MAX",
    key: "failureDelayMaxMs",
    description: "longest delay after failed logins",
    parse: durationOrZero,
    fallback: () => 5_000,
  },
  {
    env: "LATCHKEY_SMTP_URL",
    key: "smtpUrl",
    description: "SMTP server for e-mail: smtp:// or smtps://user:pass@host:port",
    parse: urlWith("smtp", "smtps"),
    fallback: () => undefined,
    secret: true,
  },
  {
    env: "LATCHKEY_MAIL_FROM",
    key: "mailFrom",
    description: "sender of e-mail",
    parse: text,
    fallback: () => "Latchkey <no-reply@localhost>",
  },
  {
    env: "LATCHKEY_MAIL_DIR",
    key: "mailDir",
    description: "development: write e-mail as .eml files here (when no SMTP URL)",
    parse: optionalText,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_SMS_WEBHOOK_URL",
    key: "smsWebhookUrl",
    description: "SMS gateway: receives a JSON POST {to, message}",
    parse: urlWith("http", "https"),
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_TEMPLATE_DIR",
    key: "templateDir",
    description: "directory overriding the message templates",
    parse: optionalText,
    fallback: () => undefined,
  },
  {
    env: "LATCHKEY_NOTIFY_PASSWORD_CHANGED",
    key: "notifyPasswordChanged",
    description: "e-mail users when their password changes",
    parse: boolean,
    fallback: () => true,
  },
  {
    env: "LATCHKEY_OUTBOX_MAX_ATTEMPTS",
    key: "outboxMaxAttempts",
    description: "delivery attempts before a message is abandoned",
    parse: integer(1, 100),
    fallback: () => 8,
  },
  {
    env: "LATCHKEY_OUTBOX_RETRY_BASE",
    key: "outboxRetryBaseMs",
    description: "first retry delay, doubling (with jitter)",
    parse: duration,
    fallback: () => 30_000,
  },
  {
    env: "LATCHKEY_OUTBOX_RETRY_MAX",
    key: "outboxRetryMaxMs",
    description: "longest retry delay",
    parse: duration,
    fallback: () => 3_600_000,
  },
  {
    env: "LATCHKEY_OUTBOX_LEASE",
    key: "outboxLeaseMs",
    description: "how long a replica holds the messages it claimed; another replica sends them after that",
    parse: duration,
    fallback: () => 120_000,
  },
  {
    env: "LATCHKEY_LOG_LEVEL",
    key: "logLevel",
    description: "debug, info, warn or error",
    parse: oneOf<LogLevel>("debug", "info", "warn", "error"),
    fallback: () => "info",
  },
  {
    env: "LATCHKEY_SHUTDOWN_TIMEOUT",
    key: "shutdownTimeoutMs",
    description: "how long in-flight calls may finish on SIGTERM",
    parse: duration,
    fallback: () => 10_000,
  },
];

const POLICY_SETTINGS: Array<{ env: string; description: string; parse: Parse<Partial<PasswordPolicy>> }> = [
  // First: the settings after it override what the profile says.
  {
    env: "LATCHKEY_PASSWORD_PROFILE",
    description: "zitadel (the defaults below) or nist (NIST SP 800-63B rev. 4: 15 characters or more, no composition rules)",
    parse: (raw, setting) => PASSWORD_PROFILES[oneOf<keyof typeof PASSWORD_PROFILES>("zitadel", "nist")(raw, setting)],
  },
  { env: "LATCHKEY_PASSWORD_MIN_LENGTH", description: "minimum password length (default 8)", parse: policy("minLength", integer(1, 200)) },
  {
    env: "LATCHKEY_PASSWORD_REQUIRE_UPPERCASE",
    description: "require an upper case letter (default true)",
    parse: policy("requireUppercase", boolean),
  },
  {
    env: "LATCHKEY_PASSWORD_REQUIRE_LOWERCASE",
    description: "require a lower case letter (default true)",
    parse: policy("requireLowercase", boolean),
  },
  { env: "LATCHKEY_PASSWORD_REQUIRE_NUMBER", description: "require a number (default true)", parse: policy("requireNumber", boolean) },
  { env: "LATCHKEY_PASSWORD_REQUIRE_SYMBOL", description: "require a symbol (default true)", parse: policy("requireSymbol", boolean) },
  { env: "LATCHKEY_PASSWORD_REJECT_COMMON", description: "refuse common passwords (default true)", parse: policy("rejectCommon", boolean) },
  {
    env: "LATCHKEY_PASSWORD_REJECT_NUMERIC",
    description: "refuse passwords of digits only (default true)",
    parse: policy("rejectNumeric", boolean),
  },
  {
    env: "LATCHKEY_PASSWORD_REJECT_PERSONAL",
    description: "refuse passwords containing the username or e-mail or names (default true)",
    parse: policy("rejectPersonal", boolean),
  },
  {
    env: "LATCHKEY_PASSWORD_HISTORY",
    description: "refuse the last N passwords (default 0: off)",
    parse: policy("historySize", integer(0, 24)),
  },
];

function cidrList(raw: string, setting: string): string[] {
  const cidrs = raw
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
  for (const cidr of cidrs) {
    const [address, bits, extra] = cidr.split("/");
    const family = isIP(address ?? "");
    const most = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > most))) {
      throw new ConfigError(setting, `has "${cidr}", which is not an address or a network such as 10.0.0.0/8 or 2001:db8::/32`);
    }
  }
  return cidrs;
}

function publicUrl(raw: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(setting, "is not a URL (https://accounts.example.com)");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname !== "/" || url.search !== "" || url.hash !== "") {
    throw new ConfigError(setting, "must be an http(s) origin with no path, such as https://accounts.example.com");
  }
  return url.origin;
}

function postgresUrl(raw: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(setting, "is not a URL (postgres://user:password@host:5432/db)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(setting, "must start with postgres:// or postgresql://");
  }
  return raw;
}

/** A secret's file: its content, without the line break editors add at the end. */
function readSecretFile(setting: string, path: string): string {
  try {
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch {
    throw new ConfigError(setting, `names a file that cannot be read: ${path}`);
  }
}

/** LATCHKEY_BCRYPT_COST → --bcrypt-cost */
const flagName = (env: string): string =>
  "--" +
  env
    .replace(/^LATCHKEY_/, "")
    .toLowerCase()
    .replaceAll("_", "-");

/** Flags override the environment. Throws ConfigError naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv, args: readonly string[]): Config {
  const raw = new Map<string, string>();
  const label = new Map<string, string>(); // how an error names the setting: as the user gave it
  for (const { env: name } of [...SETTINGS, ...POLICY_SETTINGS]) {
    const value = env[name];
    if (value !== undefined) raw.set(name, value);
  }
  for (const { env: name } of SETTINGS.filter((s) => s.secret)) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (raw.has(name)) throw new ConfigError(`${name}_FILE`, `and ${name} are both set: give the secret one way`);
    raw.set(name, readSecretFile(`${name}_FILE`, file));
    label.set(name, `${name}_FILE`);
  }
  const byFlag = new Map([...SETTINGS, ...POLICY_SETTINGS].map((s) => [flagName(s.env), s.env]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(arg, "is not a known option (see --help)");
    if (SETTINGS.some((s) => s.env === name && s.secret)) {
      throw new ConfigError(flag, `is a secret and is not taken as a flag, which other local users can read: set ${name} or ${name}_FILE`);
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new ConfigError(flag, "needs a value");
    raw.set(name, value);
    label.set(name, `${flag} (${name})`);
  }

  const config = {} as Record<string, unknown>;
  for (const s of SETTINGS) {
    const value = raw.get(s.env);
    config[s.key] = value === undefined ? s.fallback() : s.parse(value, label.get(s.env) ?? s.env);
  }
  let passwordPolicy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY };
  for (const s of POLICY_SETTINGS) {
    const value = raw.get(s.env);
    if (value !== undefined) passwordPolicy = { ...passwordPolicy, ...s.parse(value, label.get(s.env) ?? s.env) };
  }
  const result = { ...config, passwordPolicy } as Config;
  if ((result.tlsCert === undefined) !== (result.tlsKey === undefined)) {
    throw new ConfigError(result.tlsCert === undefined ? "LATCHKEY_TLS_CERT" : "LATCHKEY_TLS_KEY", "must be set together with its pair");
  }
  return result;
}

/** Replicas share no data dir: a secret generated there would differ on each and fail every code and token. */
export function requireSharedSecret(config: Config): void {
  if (config.databaseUrl !== undefined && config.secret === undefined) {
    throw new ConfigError(
      "LATCHKEY_SECRET",
      "is required with LATCHKEY_DATABASE_URL: every replica needs the same one (or LATCHKEY_SECRET_FILE)",
    );
  }
}

export function usage(): string {
  const rows = [...SETTINGS, ...POLICY_SETTINGS].map(
    (s) => `  ${("secret" in s ? "(environment or _FILE)" : flagName(s.env)).padEnd(34)} ${s.env.padEnd(36)} ${s.description}`,
  );
  return [
    "Usage: latchkey [serve] [options]",
    "       latchkey rebuild-projections [--data-dir DIR]",
    "       LATCHKEY_DATABASE_URL=postgres://… latchkey migrate-store [--data-dir DIR]   (copies SQLite into an empty PostgreSQL)",
    "       latchkey token create --permissions user.read,user.write[,...] [--name NAME] [--expires 90d] [--data-dir DIR]",
    "       latchkey token list [--json] [--data-dir DIR]",
    "       latchkey token revoke ID-OR-NAME [--data-dir DIR]",
    "",
    "Options (flag, environment variable, meaning); flags override the environment.",
    `Secrets (${SETTINGS.filter((s) => s.secret)
      .map((s) => s.env)
      .join(", ")}) come only from the environment`,
    "or from a file named by the same variable with _FILE appended: flags are visible to other local users.",
    ...rows,
    "  --help",
  ].join("\n");
}
