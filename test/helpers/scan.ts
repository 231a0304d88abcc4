import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under dir whose bytes contain the secret, as UTF-8, UTF-16 or base64. */
export function filesContaining(dir: string, secret: string): string[] {
  const needles = [Buffer.from(secret, "utf8"), Buffer.from(secret, "utf16le"), Buffer.from(Buffer.from(secret).toString("base64"))];
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hits.push(...filesContaining(path, secret));
    else {
      const bytes = readFileSync(path);
      if (needles.some((n) => bytes.includes(n))) hits.push(path);
    }
  }
  return hits;
}
