import { isIP } from "node:net";
import { urlTemplateViolations } from "../domain/url-template.js";

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting} ${message}`);
    this.name = "ConfigError";
  }
}

export type Parse<T> = (raw: string, setting: string) => T;

export const integer =
  (min: number, max: number): Parse<number> =>
  (raw, setting) => {
    if (!/^\d+$/.test(raw.trim())) throw new ConfigError(setting, `must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new ConfigError(setting, `must be between ${min} and ${max}, got ${value}`);
    return value;
  };

export const text: Parse<string> = (raw, setting) => {
  if (raw.trim() === "") throw new ConfigError(setting, "must not be empty");
  return raw;
};

const MIN_SECRET_CHARACTERS = 43; // 32 random bytes, base64url-encoded
const MIN_DISTINCT_CHARACTERS = 12;

/** Enough entropy to stand in for 32 random bytes: long, and not a repeated pattern. */
export const strongSecret: Parse<string> = (raw, setting) => {
  const value = raw.trim();
  if (value.length < MIN_SECRET_CHARACTERS || new Set(value).size < MIN_DISTINCT_CHARACTERS) {
    throw new ConfigError(
      setting,
      `must be at least ${MIN_SECRET_CHARACTERS} characters of random text, such as 32 random bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return value;
};

export const boolean: Parse<boolean> = (raw, setting) => {
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigError(setting, `must be true or false, got "${raw}"`);
};

export const oneOf =
  <T extends string>(...values: T[]): Parse<T> =>
  (raw, setting) => {
    if (!values.includes(raw as T)) throw new ConfigError(setting, `must be one of ${values.join(", ")}, got "${raw}"`);
    return raw as T;
  };

/** A URL with one of these schemes. Never echoed: it may carry credentials. */
export const urlWith =
  (...protocols: string[]): Parse<string> =>
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
export const durationOrZero: Parse<number> = (raw, setting) => {
  const match = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(setting, `must be a duration such as 30s, 15m, 1h or 90d, got "${raw}"`);
  return Number(match[1]) * DURATION_UNITS[match[2] ?? "s"]!;
};

export const duration: Parse<number> = (raw, setting) => {
  const ms = durationOrZero(raw, setting);
  if (ms <= 0) throw new ConfigError(setting, "must be longer than zero");
  return ms;
};

export const origins: Parse<string[]> = (raw, setting) =>
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
export const peppers: Parse<{ id: string; secret: string }[]> = (raw, setting) => {
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
      return { id, secret: strongSecret(line.slice(colon + 1), `${setting} (pepper "${id}")`) };
    });
  if (entries.length === 0) throw new ConfigError(setting, "has no ID:SECRET entry");
  const ids = entries.map((e) => e.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new ConfigError(setting, `names pepper "${repeated}" twice`);
  return entries;
};

/** host:port, [v6]:port or :port (every interface). */
export const listenAddress: Parse<{ host: string; port: number }> = (raw, setting) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]*)):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new ConfigError(setting, `must be host:port, such as 127.0.0.1:9464, got "${raw}"`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
};

export const linkTemplate: Parse<string> = (raw, setting) => {
  const violation = urlTemplateViolations(raw, setting)[0];
  if (violation !== undefined) throw new ConfigError(setting, violation.description);
  return raw;
};

export function cidrList(raw: string, setting: string): string[] {
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

export function publicUrl(raw: string, setting: string): string {
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

export function postgresUrl(raw: string, setting: string): string {
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
