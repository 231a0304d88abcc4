import { ConfigError, duration } from "../config/parsers.js";
import { PERMISSIONS } from "../api/auth.js";
import { createApiToken, listApiTokens, revokeApiToken, TokenNotFoundError, type ListedToken } from "../app/tokens/api-tokens.js";
import type { Keys } from "../crypto/keys.js";
import type { Store } from "../store/store.js";

export type TokenCommand =
  | { kind: "create"; name: string; permissions: string[]; expiresInMs: number | null }
  | { kind: "list"; json: boolean }
  | { kind: "revoke"; which: string };

/** `token create|list|revoke …`: takes its own arguments out of argv, leaving the settings. */
export function takeTokenArguments(argv: string[]): TokenCommand {
  const take = (flag: string): string | undefined => {
    const i = argv.findIndex((a) => a === flag || a.startsWith(flag + "="));
    if (i < 0) return undefined;
    const [arg] = argv.splice(i, 1);
    return arg!.includes("=") ? arg!.slice(flag.length + 1) : argv.splice(i, 1)[0];
  };
  const subcommand = argv.shift();
  if (subcommand === "list") {
    const i = argv.indexOf("--json");
    if (i >= 0) argv.splice(i, 1);
    return { kind: "list", json: i >= 0 };
  }
  if (subcommand === "revoke") {
    const which = argv[0] !== undefined && !argv[0].startsWith("--") ? argv.shift()! : undefined;
    if (which === undefined) throw new ConfigError("token revoke", "needs the id or name of the token to revoke (token list shows them)");
    return { kind: "revoke", which };
  }
  if (subcommand !== "create") throw new ConfigError("token", "takes one subcommand: create, list or revoke");
  const permissions = (take("--permissions") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (permissions.length === 0) throw new ConfigError("--permissions", `is required: a comma-separated list of ${PERMISSIONS.join(", ")}`);
  const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new ConfigError("--permissions", `has unknown permissions: ${unknown.join(", ")} (known: ${PERMISSIONS.join(", ")})`);
  const expires = take("--expires");
  const name = take("--name") ?? "api token";
  if (name.trim() === "" || name.length > 200) throw new ConfigError("--name", "must be 1 to 200 characters");
  return { kind: "create", name, permissions, expiresInMs: expires === undefined ? null : duration(expires, "--expires") };
}

export async function runTokenCommand(store: Store, keys: Keys, command: TokenCommand): Promise<number> {
  const now = Date.now();
  switch (command.kind) {
    case "create": {
      const expiresAt = command.expiresInMs === null ? null : now + command.expiresInMs;
      const { tokenId, token } = await createApiToken(store, keys, { ...command, expiresAt }, now);
      const until = expiresAt === null ? "" : `, expires ${new Date(expiresAt).toISOString()}`;
      process.stdout.write(
        `Created API token ${tokenId} (${command.permissions.join(", ")}${until}). It is shown only this once:\n${token}\n`,
      );
      return 0;
    }
    case "list": {
      const tokens = await listApiTokens(store, now);
      process.stdout.write(command.json ? JSON.stringify(tokens, null, 2) + "\n" : tokenTable(tokens));
      return 0;
    }
    case "revoke":
      try {
        const revoked = await revokeApiToken(store, command.which, now);
        process.stdout.write(`Revoked API token ${revoked.tokenId} (${revoked.name}): running servers refuse it from now on.\n`);
        return 0;
      } catch (error) {
        if (!(error instanceof TokenNotFoundError)) throw error;
        process.stderr.write(`latchkey: ${error.message}\n`);
        return 1;
      }
  }
}

function tokenTable(tokens: readonly ListedToken[]): string {
  const time = (t: number | null) => (t === null ? "-" : new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));
  const rows = [
    ["ID", "NAME", "STATUS", "PERMISSIONS", "CREATED", "LAST USED", "EXPIRES"],
    ...tokens.map((t) => [t.tokenId, t.name, t.status, t.permissions.join(","), time(t.createdAt), time(t.lastUsedAt), time(t.expiresAt)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}
