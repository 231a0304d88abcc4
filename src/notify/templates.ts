import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-root.js";

const TEMPLATE_FILES = [
  "password_reset.subject.txt",
  "password_reset.txt",
  "password_reset.html",
  "password_reset.sms.txt",
  "password_changed.subject.txt",
  "password_changed.txt",
  "password_changed.html",
] as const;
type TemplateName = (typeof TEMPLATE_FILES)[number];
export type Templates = Readonly<Record<TemplateName, string>>;

/** The project's English defaults: templates/en beside package.json. */
function defaultsDir(): string {
  const dir = join(packageRoot(), "templates", "en");
  if (!existsSync(dir)) throw new Error("the default message templates (templates/en) are missing");
  return dir;
}

/** Each template from the operator's directory if it has that file, else the English default. */
export function loadTemplates(overrideDir: string | undefined): Templates {
  const defaults = defaultsDir();
  const entries = TEMPLATE_FILES.map((name) => {
    const override = overrideDir === undefined ? undefined : join(overrideDir, name);
    const path = override !== undefined && existsSync(override) ? override : join(defaults, name);
    return [name, readFileSync(path, "utf8")] as const;
  });
  return Object.fromEntries(entries) as Templates;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Fills {{name}} placeholders; in HTML every value is escaped. Unknown placeholders stay visible. */
export function render(template: string, values: Readonly<Record<string, string>>, format: "text" | "html"): string {
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) return placeholder;
    return format === "html" ? escapeHtml(value) : value;
  });
}
