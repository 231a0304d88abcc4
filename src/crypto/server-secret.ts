import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SECRET_FILE = "secret";

/** A configured secret of this form is the bytes it encodes (as the data dir's file holds them). */
const BASE64_PREFIX = "base64:";

/** The configured secret, or the one in the data dir, created (mode 0600) on first start. */
export function loadServerSecret(dataDir: string, configured: string | undefined): Buffer {
  if (configured?.startsWith(BASE64_PREFIX)) return Buffer.from(configured.slice(BASE64_PREFIX.length), "base64");
  if (configured !== undefined) return Buffer.from(configured, "utf8");
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  return secret;
}

/**
 * The data dir's secret as a value for LATCHKEY_SECRET (or its _FILE), so that replicas on another
 * store hold the same key as this installation: null when the secret is configured, not in the data dir.
 */
export function dataDirSecretAsSetting(dataDir: string, configured: string | undefined): string | null {
  if (configured !== undefined) return null;
  return BASE64_PREFIX + loadServerSecret(dataDir, undefined).toString("base64");
}
