import { FORMATS } from "./formats.js";
import type { FormatOptions } from "./source-record.js";

export interface ImportArguments {
  file: string;
  format: string;
  url: string;
  token: string;
  orgId?: string;
  dryRun: boolean;
  reportPath?: string;
  options: FormatOptions;
}

/** A usage error: what is wrong, in one line. */
export class ImportUsageError extends Error {}

/** `import-users FILE --format F …` and LATCHKEY_TOKEN, checked. */
export function importArguments(argv: readonly string[], env: NodeJS.ProcessEnv): ImportArguments {
  const rest = [...argv];
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (!arg.startsWith("--")) positional.push(arg);
    else if (arg === "--dry-run") flags.set(arg, true);
    else if (arg.includes("=")) flags.set(arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1));
    else {
      const value = rest.shift();
      if (value === undefined) throw new ImportUsageError(`${arg} needs a value`);
      flags.set(arg, value);
    }
  }
  const known = ["--format", "--url", "--org", "--dry-run", "--report", ...FIREBASE_FLAGS];
  const unknown = [...flags.keys()].find((flag) => !known.includes(flag));
  if (unknown !== undefined) throw new ImportUsageError(`${unknown} is not an option of import-users`);
  const value = (flag: string) => (typeof flags.get(flag) === "string" ? (flags.get(flag) as string) : undefined);
  if (positional.length !== 1) throw new ImportUsageError("takes one file to import");
  const format = value("--format");
  if (format === undefined || FORMATS[format] === undefined)
    throw new ImportUsageError(`--format must be one of ${Object.keys(FORMATS).join(", ")}`);
  const token = env.LATCHKEY_TOKEN;
  if (token === undefined || token === "") throw new ImportUsageError("LATCHKEY_TOKEN must hold an API token with user.write");
  const url = value("--url") ?? "http://127.0.0.1:8080";
  if (!/^https?:\/\/[^/]+\/?$/.test(url)) throw new ImportUsageError("--url must be the server's http:// or https:// origin");
  return {
    file: positional[0]!,
    format,
    url: url.replace(/\/$/, ""),
    token,
    ...(value("--org") !== undefined && { orgId: value("--org")! }),
    dryRun: flags.get("--dry-run") === true,
    ...(value("--report") !== undefined && { reportPath: value("--report")! }),
    options: format === "firebase" ? { firebase: firebaseConfig(value) } : {},
  };
}

const FIREBASE_FLAGS = ["--firebase-signer-key", "--firebase-salt-separator", "--firebase-rounds", "--firebase-mem-cost"];

/** The project's hash config, as the Firebase console shows it (base64 key and separator, rounds, mem cost). */
function firebaseConfig(value: (flag: string) => string | undefined): NonNullable<FormatOptions["firebase"]> {
  const [signerKey, saltSeparator, rounds, memCost] = FIREBASE_FLAGS.map(value);
  if (signerKey === undefined || saltSeparator === undefined || rounds === undefined || memCost === undefined) {
    throw new ImportUsageError(`--format firebase needs the project's hash config: ${FIREBASE_FLAGS.join(" ")}`);
  }
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!base64.test(signerKey) || !base64.test(saltSeparator))
    throw new ImportUsageError("--firebase-signer-key and --firebase-salt-separator are base64");
  if (!/^\d{1,2}$/.test(rounds) || !/^\d{1,2}$/.test(memCost))
    throw new ImportUsageError("--firebase-rounds and --firebase-mem-cost are small whole numbers");
  return { signerKey, saltSeparator, rounds: Number(rounds), memCost: Number(memCost) };
}
