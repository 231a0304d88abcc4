import { flagName } from "./load-config.js";
import { allSettings } from "./settings.js";

const plain = (markdown: string): string => markdown.replaceAll("`", "");

/** import-users is a client of the API: it takes no settings, only these. */
export const IMPORT_USAGE =
  "latchkey import-users FILE --format ndjson|keycloak|auth0|firebase|django|kratos [--url URL] [--org ORG_ID] [--dry-run] [--report PATH]\n" +
  "       (token from LATCHKEY_TOKEN, with user.write; firebase also --firebase-signer-key --firebase-salt-separator --firebase-rounds --firebase-mem-cost)";

/** `--help`: every setting, from the same table the README's settings table is made from. */
export function usage(): string {
  const settings = allSettings();
  const rows = settings.map(
    (s) =>
      `  ${(s.secret ? "(environment or _FILE)" : flagName(s.env)).padEnd(34)} ${s.env.padEnd(36)} ${plain(s.description)} [default: ${plain(s.shownDefault)}]`,
  );
  return [
    "Usage: latchkey [serve] [options]",
    "       latchkey rebuild-projections [--data-dir DIR]",
    "       LATCHKEY_DATABASE_URL=postgres://… latchkey migrate-store [--data-dir DIR]   (copies SQLite into an empty PostgreSQL)",
    "       latchkey token create --permissions user.read,user.write[,...] [--name NAME] [--expires 90d] [--data-dir DIR]",
    "       latchkey token list [--json] [--data-dir DIR]",
    "       latchkey token revoke ID-OR-NAME [--data-dir DIR]",
    "       latchkey hash-report [--json] [--user-ids SCHEME|weak] [--data-dir DIR]   (users by the scheme of their password hash)",
    `       ${IMPORT_USAGE}`,
    "",
    "Options (flag, environment variable, meaning); flags override the environment.",
    `Secrets (${secretNames().join(", ")}) come only from the environment`,
    "or from a file named by the same variable with _FILE appended: flags are visible to other local users.",
    ...rows,
    "  --help",
  ].join("\n");
}

function secretNames(): string[] {
  return allSettings()
    .filter((s) => s.secret)
    .map((s) => s.env);
}

/** The README's settings table (between its `settings` markers); a test keeps the two equal. */
function settingsMarkdown(): string {
  const rows = allSettings().map((s) => [`\`${s.env}\``, s.shownDefault, s.description]);
  const table = [["variable", "default", ""], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(3, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(table[0]!), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const START = "<!-- settings table: written by npm run docs:settings from src/config/settings.ts -->";
const END = "<!-- end of settings table -->";

/** The README with its settings table made anew; throws when the README has no markers. */
export function replaceSettingsTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the README needs the lines ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n\n${settingsMarkdown()}\n\n${readme.slice(end)}`;
}
