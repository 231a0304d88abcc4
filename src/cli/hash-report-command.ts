import { ConfigError } from "../config/parsers.js";
import { countUsersByScheme, usersByScheme } from "../app/users/hash-census.js";
import type { Store } from "../store/store.js";

export type HashReport = { kind: "counts"; json: boolean } | { kind: "user-ids"; scheme: string };

/** `hash-report [--json] [--user-ids SCHEME|weak]`: takes its own arguments out of argv, leaving the settings. */
export function takeHashReportArguments(argv: string[]): HashReport {
  const json = argv.indexOf("--json");
  if (json >= 0) argv.splice(json, 1);
  const ids = argv.findIndex((a) => a === "--user-ids" || a.startsWith("--user-ids="));
  if (ids < 0) return { kind: "counts", json: json >= 0 };
  const [arg] = argv.splice(ids, 1);
  const scheme = arg!.includes("=") ? arg!.slice("--user-ids=".length) : argv.splice(ids, 1)[0];
  if (scheme === undefined || scheme === "") throw new ConfigError("--user-ids", "needs a scheme as the report names it, or weak");
  return { kind: "user-ids", scheme };
}

/** Counts users by the scheme of their current hash, or lists the ids of those on one scheme (or on any weak one). */
export async function runHashReport(store: Store, report: HashReport, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (report.kind === "user-ids") {
    for await (const user of usersByScheme(store)) {
      if (report.scheme === "weak" ? user.weakness !== undefined : user.scheme === report.scheme) out.write(`${user.userId}\n`);
    }
    return 0;
  }
  const counts = await countUsersByScheme(store);
  if (report.json) {
    out.write(JSON.stringify(counts) + "\n");
    return 0;
  }
  const width = Math.max(6, ...counts.map((c) => c.scheme.length));
  out.write(`${"scheme".padEnd(width)}  ${"users".padStart(9)}  weak\n`);
  for (const c of counts) out.write(`${c.scheme.padEnd(width)}  ${String(c.users).padStart(9)}  ${c.weakness ?? ""}\n`);
  const weak = counts.filter((c) => c.weakness !== undefined).reduce((n, c) => n + c.users, 0);
  out.write(`${weak} users on weak schemes: they are re-hashed at their next login (hash-report --user-ids weak lists them)\n`);
  return 0;
}
