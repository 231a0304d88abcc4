import { readFileSync } from "node:fs";
import { PASSWORD_PROFILES, type PasswordPolicy } from "../domain/password-policy.js";
import { ConfigError } from "./parsers.js";
import { allSettings, SETTINGS, type Config, type RawPasswordPolicy, type Setting } from "./settings.js";

/** Flags override the environment. Throws ConfigError naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv, args: readonly string[]): Config {
  const given = givenValues(env, args);
  const value = (s: Setting<unknown>) => {
    const raw = given.raw.get(s.env);
    return raw === undefined ? s.fallback() : s.parse(raw, given.label.get(s.env) ?? s.env);
  };
  const loaded = Object.fromEntries(
    Object.entries(SETTINGS).map(([group, settings]) => [
      group,
      Object.fromEntries(Object.entries(settings).map(([key, s]) => [key, value(s as Setting<unknown>)])),
    ]),
  ) as { [G in keyof typeof SETTINGS]: unknown };
  const config = {
    ...(loaded as Omit<Config, "passwordPolicy">),
    passwordPolicy: combinedPolicy(loaded.passwordPolicy as RawPasswordPolicy),
  };
  if ((config.server.tlsCert === undefined) !== (config.server.tlsKey === undefined)) {
    throw new ConfigError(
      config.server.tlsCert === undefined ? "LATCHKEY_TLS_CERT" : "LATCHKEY_TLS_KEY",
      "must be set together with its pair",
    );
  }
  if (config.hashing.argon2MemoryKiB < 8 * config.hashing.argon2Parallelism) {
    throw new ConfigError("LATCHKEY_ARGON2_MEMORY", "must be at least 8 KiB per lane (LATCHKEY_ARGON2_PARALLELISM)");
  }
  return config;
}

/** The profile, with each rule that is set put over it. */
function combinedPolicy({ profile, ...rules }: RawPasswordPolicy): PasswordPolicy {
  const set: { [K in keyof PasswordPolicy]: PasswordPolicy[K] | undefined } = rules;
  const overrides = Object.fromEntries(Object.entries(set).filter(([, v]) => v !== undefined));
  return { ...PASSWORD_PROFILES[profile], ...overrides };
}

/** The raw text of each setting given, and how an error should name it: as the user gave it. */
function givenValues(env: NodeJS.ProcessEnv, args: readonly string[]) {
  const settings = allSettings();
  const raw = new Map<string, string>();
  const label = new Map<string, string>();
  for (const { env: name } of settings) {
    const value = env[name];
    if (value !== undefined) raw.set(name, value);
  }
  for (const { env: name } of settings.filter((s) => s.secret)) {
    const file = env[`${name}_FILE`];
    if (file === undefined) continue;
    if (raw.has(name)) throw new ConfigError(`${name}_FILE`, `and ${name} are both set: give the secret one way`);
    raw.set(name, readSecretFile(`${name}_FILE`, file));
    label.set(name, `${name}_FILE`);
  }
  const byFlag = new Map(settings.map((s) => [flagName(s.env), s]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    const setting = byFlag.get(flag);
    if (!setting) throw new ConfigError(arg, "is not a known option (see --help)");
    const name = setting.env;
    if (setting.secret) {
      throw new ConfigError(flag, `is a secret and is not taken as a flag, which other local users can read: set ${name} or ${name}_FILE`);
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new ConfigError(flag, "needs a value");
    raw.set(name, value);
    label.set(name, `${flag} (${name})`);
  }
  return { raw, label };
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
export const flagName = (env: string): string =>
  "--" +
  env
    .replace(/^LATCHKEY_/, "")
    .toLowerCase()
    .replaceAll("_", "-");

/** Replicas share no data dir: a secret generated there would differ on each and fail every code and token. */
export function requireSharedSecret(config: Config): void {
  if (config.database.url !== undefined && config.secrets.secret === undefined) {
    throw new ConfigError(
      "LATCHKEY_SECRET",
      "is required with LATCHKEY_DATABASE_URL: every replica needs the same one (or LATCHKEY_SECRET_FILE)",
    );
  }
}
