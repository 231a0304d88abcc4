import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SECRET_FILE = "secret";

/** The configured secret, or the one in the data dir, created (mode 0600) on first start. */
export function loadServerSecret(dataDir: string, configured: string | undefined): Buffer {
  if (configured !== undefined) return Buffer.from(configured, "utf8");
  const path = join(dataDir, SECRET_FILE);
  if (existsSync(path)) return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString("base64") + "\n", { mode: 0o600, flag: "wx" });
  return secret;
}
