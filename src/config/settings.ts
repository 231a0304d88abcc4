import { availableParallelism } from "node:os";
import { PASSWORD_PROFILES, type PasswordPolicy } from "../domain/password-policy.js";
import type { ProxyHeader } from "../api/trusted-proxies.js";
import type { LogLevel } from "../log.js";
import {
  boolean,
  cidrList,
  duration,
  durationOrZero,
  integer,
  linkTemplate,
  listenAddress,
  oneOf,
  origins,
  peppers,
  postgresUrl,
  publicUrl,
  strongSecret,
  text,
  urlWith,
  type Parse,
} from "./parsers.js";

/** One setting: where it comes from, what it means, and the value it has when nothing sets it. */
export interface Setting<T> {
  env: string;
  /** For --help and the README's settings table (Markdown). */
  description: string;
  /** The default as a reader should see it (Markdown). */
  shownDefault: string;
  parse: Parse<T>;
  fallback: () => T;
  /**
   * A secret: accepted from the environment or from the file `<env>_FILE` names, never as a flag,
   * which every local user can read in the process list.
   */
  secret?: true;
}

type Described<T> = Omit<Setting<T>, "fallback"> & { fallback: NoInfer<T> | (() => NoInfer<T>) };

/** A setting with a default. */
function setting<T>(s: Described<T>): Setting<T> {
  const fallback = s.fallback;
  return { ...s, fallback: typeof fallback === "function" ? (fallback as () => T) : () => fallback };
}

/** A setting that is unset unless configured. */
function optional<T>(s: Omit<Setting<T>, "fallback">): Setting<T | undefined> {
  return { ...s, fallback: () => undefined };
}

type PasswordProfile = keyof typeof PASSWORD_PROFILES;

/**
 * Every setting, grouped as the code uses them: a group is handed on whole (serve.ts passes
 * `config.lockout` to the sessions, `config.limits` to the listener). `Config` is derived from
 * this table, so a setting's parser and its readers must agree, or the type-check fails.
 */
export const SETTINGS = {
  server: {
    port: setting({
      env: "LATCHKEY_PORT",
      description: "one port for gRPC, gRPC-web, Connect, REST and the hosted pages",
      shownDefault: "`8080`",
      parse: integer(0, 65535),
      fallback: 8080,
    }),
    host: setting({
      env: "LATCHKEY_HOST",
      description: "address to listen on; `0.0.0.0` in deployments",
      shownDefault: "`127.0.0.1`",
      parse: text,
      fallback: "127.0.0.1",
    }),
    publicUrl: optional({
      env: "LATCHKEY_PUBLIC_URL",
      description: "where users reach the server (`https://accounts.example.com`); the default reset link is its `/ui/password/reset`",
      shownDefault: "the server's own address",
      parse: publicUrl,
    }),
    tlsCert: optional({
      env: "LATCHKEY_TLS_CERT",
      description: "PEM certificate file; with `LATCHKEY_TLS_KEY`, TLS with ALPN (h2 and http/1.1)",
      shownDefault: "none",
      parse: text,
    }),
    tlsKey: optional({ env: "LATCHKEY_TLS_KEY", description: "PEM private key file", shownDefault: "none", parse: text }),
    corsOrigins: setting({
      env: "LATCHKEY_CORS_ORIGINS",
      description: "comma-separated browser origins allowed by CORS",
      shownDefault: "none",
      parse: origins,
      fallback: () => [],
    }),
    trustedProxies: setting({
      env: "LATCHKEY_TRUSTED_PROXIES",
      description:
        "proxies (addresses or CIDRs, comma-separated) whose header (`LATCHKEY_PROXY_HEADER`) names the client: only when the TCP peer is one of them, and only the hops they appended",
      shownDefault: "none",
      parse: cidrList,
      fallback: () => [],
    }),
    proxyHeader: setting({
      env: "LATCHKEY_PROXY_HEADER",
      description:
        "the one header the trusted proxies write, `x-forwarded-for` or `forwarded` (RFC 7239); the other is ignored, so a client cannot choose its address by picking one",
      shownDefault: "`x-forwarded-for`",
      parse: oneOf<ProxyHeader>("x-forwarded-for", "forwarded"),
      fallback: "x-forwarded-for",
    }),
    reflection: setting({
      env: "LATCHKEY_REFLECTION",
      description: "answer gRPC server reflection (v1 and v1alpha), so grpcurl and buf curl need no protos",
      shownDefault: "`true`",
      parse: boolean,
      fallback: true,
    }),
    metricsAddress: optional({
      env: "LATCHKEY_METRICS_ADDR",
      description:
        "`host:port` (`127.0.0.1:9464`, `[::1]:9464`, `:9464` for every interface) where Prometheus scrapes `GET /metrics`, on a listener apart from the API",
      shownDefault: "none: off",
      parse: listenAddress,
    }),
    shutdownTimeoutMs: setting({
      env: "LATCHKEY_SHUTDOWN_TIMEOUT",
      description: "how long in-flight calls may finish on SIGTERM",
      shownDefault: "`10s`",
      parse: duration,
      fallback: 10_000,
    }),
    logLevel: setting({
      env: "LATCHKEY_LOG_LEVEL",
      description: "`debug`, `info`, `warn` or `error`; `debug` also logs call starts",
      shownDefault: "`info`",
      parse: oneOf<LogLevel>("debug", "info", "warn", "error"),
      fallback: "info",
    }),
  },
  limits: {
    maxRequestBytes: setting({
      env: "LATCHKEY_MAX_REQUEST_BYTES",
      description: "largest request message accepted (after decompression too)",
      shownDefault: "`262144`",
      parse: integer(1024, 16 * 1024 * 1024),
      fallback: 256 * 1024,
    }),
    idleTimeoutMs: setting({
      env: "LATCHKEY_IDLE_TIMEOUT",
      description: "a connection with no request in progress (HTTP/2: no open stream) is closed after this long",
      shownDefault: "`60s`",
      parse: duration,
      fallback: 60_000,
    }),
    requestTimeoutMs: setting({
      env: "LATCHKEY_REQUEST_TIMEOUT",
      description: "a request's headers and body must arrive within this; also the deadline for the HTTP/2 preface and the TLS handshake",
      shownDefault: "`30s`",
      parse: duration,
      fallback: 30_000,
    }),
    maxConnections: setting({
      env: "LATCHKEY_MAX_CONNECTIONS",
      description: "open connections at once; more are refused",
      shownDefault: "`10000`",
      parse: integer(1, 1_000_000),
      fallback: 10_000,
    }),
    maxStreamsPerConnection: setting({
      env: "LATCHKEY_MAX_STREAMS_PER_CONNECTION",
      description: "concurrent HTTP/2 streams per connection",
      shownDefault: "`100`",
      parse: integer(1, 10_000),
      fallback: 100,
    }),
  },
  database: {
    dataDir: setting({
      env: "LATCHKEY_DATA_DIR",
      description: "the SQLite database and the server secret (created mode 0700, files 0600)",
      shownDefault: "`./data`",
      parse: text,
      fallback: "./data",
    }),
    url: optional({
      env: "LATCHKEY_DATABASE_URL",
      description: "`postgres://user:password@host:5432/db[?sslmode=…]`: several replicas on PostgreSQL",
      shownDefault: "none: SQLite in the data dir",
      parse: postgresUrl,
      secret: true,
    }),
    poolSize: setting({
      env: "LATCHKEY_DATABASE_POOL_SIZE",
      description: "PostgreSQL connections per replica",
      shownDefault: "4 per core, at least 4",
      parse: integer(1, 1000),
      // Enough to keep both the event loop and the database busy.
      fallback: () => Math.max(4, 4 * availableParallelism()),
    }),
    connectTimeoutMs: setting({
      env: "LATCHKEY_DATABASE_CONNECT_TIMEOUT",
      description: "how long start-up waits for an unreachable PostgreSQL before it exits",
      shownDefault: "`30s`",
      parse: duration,
      fallback: 30_000,
    }),
  },
  secrets: {
    adminToken: optional({
      env: "LATCHKEY_ADMIN_TOKEN",
      description: "bootstrap token with every permission; 43+ random characters",
      shownDefault: "generated, printed once",
      parse: strongSecret,
      secret: true,
    }),
    secret: optional({
      env: "LATCHKEY_SECRET",
      description:
        "keys for code and token digests and outbox encryption; 43+ random characters, or `base64:` and the bytes in base64; required with PostgreSQL",
      shownDefault: "generated into the data dir",
      parse: strongSecret,
      secret: true,
    }),
    peppers: setting({
      env: "LATCHKEY_PEPPER",
      description:
        "peppers for password hashes, `ID:SECRET` per line (or comma-separated), the current one first, each secret 43+ random characters; usually `LATCHKEY_PEPPER_FILE`. See Security notes",
      shownDefault: "none",
      parse: peppers,
      fallback: () => [],
      secret: true,
    }),
  },
  hashing: {
    scheme: setting({
      env: "LATCHKEY_PASSWORD_HASH",
      description:
        "the scheme new password hashes are made with: `bcrypt` or `argon2id`; users whose hash was made otherwise (another scheme, cost, parameters or pepper) are re-hashed at their next login",
      shownDefault: "`bcrypt`",
      parse: oneOf<"bcrypt" | "argon2id">("bcrypt", "argon2id"),
      fallback: "bcrypt",
    }),
    bcryptCost: setting({
      env: "LATCHKEY_BCRYPT_COST",
      description: "4..31; imported hashes may cost at most 2 more, and never more than 16",
      shownDefault: "`12`",
      parse: integer(4, 31),
      fallback: 12,
    }),
    argon2MemoryKiB: setting({
      env: "LATCHKEY_ARGON2_MEMORY",
      description:
        "with `argon2id`: memory per hash in KiB (OWASP's and RFC 9106's low-memory choice: 19 MiB with 2 passes; each hash thread holds this much while it hashes)",
      shownDefault: "`19456`",
      parse: integer(8, 4_194_304),
      fallback: 19_456,
    }),
    argon2Passes: setting({
      env: "LATCHKEY_ARGON2_PASSES",
      description: "with `argon2id`: passes over the memory (t)",
      shownDefault: "`2`",
      parse: integer(1, 64),
      fallback: 2,
    }),
    argon2Parallelism: setting({
      env: "LATCHKEY_ARGON2_PARALLELISM",
      description: "with `argon2id`: lanes (p); 1 lets each hash thread do one hash, the threads giving the parallelism",
      shownDefault: "`1`",
      parse: integer(1, 16),
      fallback: 1,
    }),
    concurrency: setting({
      env: "LATCHKEY_HASH_CONCURRENCY",
      description: "hash threads (run at the lowest CPU priority)",
      shownDefault: "CPU cores",
      parse: integer(1, 256),
      fallback: () => availableParallelism(),
    }),
  },
  passwordPolicy: {
    // Applied first; the rules after it (unset: the profile's value) override it.
    profile: setting({
      env: "LATCHKEY_PASSWORD_PROFILE",
      description:
        "the starting point of the rules below, which still override it: `zitadel` (these defaults) or `nist` (NIST SP 800-63B rev. 4: at least 15 characters, no composition rules, common passwords and the user's own data refused, up to 200 characters); `GetPasswordComplexitySettings` reports what is in force",
      shownDefault: "`zitadel`",
      parse: oneOf<PasswordProfile>("zitadel", "nist"),
      fallback: "zitadel",
    }),
    minLength: optional({
      env: "LATCHKEY_PASSWORD_MIN_LENGTH",
      description: "minimum password length",
      shownDefault: "`8`",
      parse: integer(1, 200),
    }),
    requireUppercase: optional({
      env: "LATCHKEY_PASSWORD_REQUIRE_UPPERCASE",
      description: "require an upper case letter",
      shownDefault: "`true`",
      parse: boolean,
    }),
    requireLowercase: optional({
      env: "LATCHKEY_PASSWORD_REQUIRE_LOWERCASE",
      description: "require a lower case letter",
      shownDefault: "`true`",
      parse: boolean,
    }),
    requireNumber: optional({
      env: "LATCHKEY_PASSWORD_REQUIRE_NUMBER",
      description: "require a number",
      shownDefault: "`true`",
      parse: boolean,
    }),
    requireSymbol: optional({
      env: "LATCHKEY_PASSWORD_REQUIRE_SYMBOL",
      description: "require a symbol",
      shownDefault: "`true`",
      parse: boolean,
    }),
    rejectCommon: optional({
      env: "LATCHKEY_PASSWORD_REJECT_COMMON",
      description: "refuse the ~49,000 common passwords of `@zxcvbn-ts/language-common`, any case",
      shownDefault: "`true`",
      parse: boolean,
    }),
    rejectNumeric: optional({
      env: "LATCHKEY_PASSWORD_REJECT_NUMERIC",
      description: "refuse passwords of digits only",
      shownDefault: "`true`",
      parse: boolean,
    }),
    rejectPersonal: optional({
      env: "LATCHKEY_PASSWORD_REJECT_PERSONAL",
      description:
        "refuse passwords containing the username, e-mail (or its local part), given or family name, or too similar to any of them or their parts (Django's similarity rule, ratio 0.7)",
      shownDefault: "`true`",
      parse: boolean,
    }),
    historySize: optional({
      env: "LATCHKEY_PASSWORD_HISTORY",
      description: "refuse the last N passwords (counting the current one), up to 24",
      shownDefault: "`0`",
      parse: integer(0, 24),
    }),
  },
  breachedPasswords: {
    file: optional({
      env: "LATCHKEY_PASSWORD_BLOCKLIST_FILE",
      description:
        "breached passwords in Have I Been Pwned's downloadable format (sorted upper-case SHA-1 `HASH:COUNT` lines, LF or CRLF), of any size: looked up by binary search over the file, never loaded; a new password found in it is refused with its own message",
      shownDefault: "none",
      parse: text,
    }),
    minCount: setting({
      env: "LATCHKEY_PASSWORD_BLOCKLIST_MIN_COUNT",
      description: "how often a password must appear in that list to be refused",
      shownDefault: "`1`",
      parse: integer(1, 1_000_000_000),
      fallback: 1,
    }),
  },
  lockout: {
    maxPasswordAttempts: setting({
      env: "LATCHKEY_MAX_PASSWORD_ATTEMPTS",
      description: "failed password checks in a row that lock a user; `0` never locks",
      shownDefault: "`10`",
      parse: integer(0, 1000),
      fallback: 10,
    }),
    lockoutDurationMs: setting({
      env: "LATCHKEY_LOCKOUT_DURATION",
      description: "how long a password lockout lasts, doubling for repeated ones (up to a day); `0` until an administrator unlocks",
      shownDefault: "`15m`",
      parse: durationOrZero,
      fallback: 15 * 60_000,
    }),
  },
  failureDelay: {
    baseMs: setting({
      env: "LATCHKEY_FAILURE_DELAY",
      description: "delay after a failed login, doubling with each one; `0` off",
      shownDefault: "`250ms`",
      parse: durationOrZero,
      fallback: 250,
    }),
    maxMs: setting({
      env: "LATCHKEY_FAILURE_DELAY_MAX",
      description: "longest delay after failed logins",
      shownDefault: "`5s`",
      parse: durationOrZero,
      fallback: 5_000,
    }),
  },
  rateLimits: {
    perAddress: setting({
      env: "LATCHKEY_RATE_LIMIT_PER_ADDRESS",
      description: "public calls per minute from one address; `0` off",
      shownDefault: "`60`",
      parse: integer(0, 1_000_000),
      fallback: 60,
    }),
    perUser: setting({
      env: "LATCHKEY_RATE_LIMIT_PER_USER",
      description: "public calls per minute aimed at one user or login name from one address; `0` off",
      shownDefault: "`10`",
      parse: integer(0, 1_000_000),
      fallback: 10,
    }),
    ipv6PrefixBits: setting({
      env: "LATCHKEY_RATE_LIMIT_IPV6_PREFIX",
      description: "IPv6 clients are limited per prefix of this length (bits); every loopback address counts as one client",
      shownDefault: "`64`",
      parse: integer(16, 128),
      fallback: 64,
    }),
  },
  passwordReset: {
    codeTtlMs: setting({
      env: "LATCHKEY_CODE_TTL",
      description: "reset code lifetime (`90s`, `15m`, `1h`)",
      shownDefault: "`1h`",
      parse: duration,
      fallback: 3_600_000,
    }),
    urlTemplate: optional({
      env: "LATCHKEY_RESET_URL_TEMPLATE",
      description: "default reset link; `{{.UserID}}`, `{{.Code}}`, `{{.OrgID}}`",
      shownDefault: "the hosted reset page",
      parse: linkTemplate,
    }),
    urlOrigins: setting({
      env: "LATCHKEY_RESET_URL_ORIGINS",
      description: "comma-separated origins a public reset request's `url_template` may use",
      shownDefault: "none",
      parse: origins,
      fallback: () => [],
    }),
    requiresVerifiedEmail: setting({
      env: "LATCHKEY_RESET_REQUIRES_VERIFIED_EMAIL",
      description: "send reset links by e-mail only to verified addresses",
      shownDefault: "`false`",
      parse: boolean,
      fallback: false,
    }),
  },
  sessions: {
    lifetimeMs: setting({
      env: "LATCHKEY_SESSION_LIFETIME",
      description: "how long a session lasts at most",
      shownDefault: "`12h`",
      parse: duration,
      fallback: 12 * 3_600_000,
    }),
  },
  notify: {
    smtpUrl: optional({
      env: "LATCHKEY_SMTP_URL",
      description: "SMTP server for e-mail: `smtp://` or `smtps://user:pass@host:port`",
      shownDefault: "none",
      parse: urlWith("smtp", "smtps"),
      secret: true,
    }),
    mailFrom: setting({
      env: "LATCHKEY_MAIL_FROM",
      description: "sender of e-mail",
      shownDefault: "`Latchkey <no-reply@localhost>`",
      parse: text,
      fallback: "Latchkey <no-reply@localhost>",
    }),
    mailDir: optional({
      env: "LATCHKEY_MAIL_DIR",
      description: "development: write e-mail as `.eml` files here instead of sending it (when no SMTP URL)",
      shownDefault: "none",
      parse: text,
    }),
    smsWebhookUrl: optional({
      env: "LATCHKEY_SMS_WEBHOOK_URL",
      description: "SMS gateway: receives a JSON POST `{to, message}`",
      shownDefault: "none",
      parse: urlWith("http", "https"),
    }),
    templateDir: optional({
      env: "LATCHKEY_TEMPLATE_DIR",
      description: "directory overriding the message templates",
      shownDefault: "none",
      parse: text,
    }),
    passwordChanged: setting({
      env: "LATCHKEY_NOTIFY_PASSWORD_CHANGED",
      description: "e-mail users when their password changes",
      shownDefault: "`true`",
      parse: boolean,
      fallback: true,
    }),
  },
  outbox: {
    maxAttempts: setting({
      env: "LATCHKEY_OUTBOX_MAX_ATTEMPTS",
      description: "delivery attempts before a message is abandoned",
      shownDefault: "`8`",
      parse: integer(1, 100),
      fallback: 8,
    }),
    baseDelayMs: setting({
      env: "LATCHKEY_OUTBOX_RETRY_BASE",
      description: "first retry delay, doubling (with jitter)",
      shownDefault: "`30s`",
      parse: duration,
      fallback: 30_000,
    }),
    maxDelayMs: setting({
      env: "LATCHKEY_OUTBOX_RETRY_MAX",
      description: "longest retry delay",
      shownDefault: "`1h`",
      parse: duration,
      fallback: 3_600_000,
    }),
    leaseMs: setting({
      env: "LATCHKEY_OUTBOX_LEASE",
      description: "how long a replica holds the messages it claimed; another sends them after that",
      shownDefault: "`2m`",
      parse: duration,
      fallback: 120_000,
    }),
  },
  ui: {
    enabled: setting({
      env: "LATCHKEY_UI",
      description: "serve the hosted password pages under `/ui/`",
      shownDefault: "`true`",
      parse: boolean,
      fallback: true,
    }),
    cssDir: optional({
      env: "LATCHKEY_UI_CSS_DIR",
      description: "a directory with a `brand.css` that restyles the hosted pages",
      shownDefault: "none",
      parse: text,
    }),
    productName: optional({
      env: "LATCHKEY_UI_PRODUCT_NAME",
      description: "the product name the hosted pages show",
      shownDefault: "`Latchkey`",
      parse: text,
    }),
  },
} satisfies Record<string, Record<string, Setting<unknown>>>;

/** The value a setting yields. */
type ValueOf<S> = S extends Setting<infer T> ? T : never;

type Table = typeof SETTINGS;

/** What the table yields, group by group; the password rules are combined into one policy. */
export type Config = {
  readonly [G in Exclude<keyof Table, "passwordPolicy">]: { readonly [K in keyof Table[G]]: ValueOf<Table[G][K]> };
} & { readonly passwordPolicy: PasswordPolicy };

export type RawPasswordPolicy = { [K in keyof Table["passwordPolicy"]]: ValueOf<Table["passwordPolicy"][K]> };

/** Every setting in the table's order. */
export function allSettings(): Setting<unknown>[] {
  return Object.values(SETTINGS).flatMap((group) => Object.values(group) as Setting<unknown>[]);
}
