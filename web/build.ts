// Bundles the password pages (web/src) into static assets in dist/web: one script per page,
// the style sheet, the HTML. Run by `npm run build`; the server serves dist/web under /ui/.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { UI_PATHS } from "../src/server/ui-paths.js";

const here = import.meta.dirname;
const english: unknown = JSON.parse(readFileSync(join(here, "messages", "en.json"), "utf8"));
const out = join(here, "..", "dist", "web");
const PAGES = ["forgot", "reset", "change"];

mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: PAGES.map((page) => join(here, "src", `${page}.ts`)),
  outdir: join(out, "assets"),
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(here, "pages", "pages.css"), join(out, "assets", "pages.css"));
// Each page is its content in one layout; shared fields come in by `<!--#include name-->`.
const part = (name: string) => readFileSync(join(here, "pages", "parts", `${name}.html`), "utf8");
for (const page of PAGES) {
  const content = readFileSync(join(here, "pages", `${page}.html`), "utf8").replace(/<!--#include ([\w-]+)-->/g, (_, name: string) =>
    part(name),
  );
  const title = (english as Record<string, string>)[`${page}.title`]!; // until the script picks the language
  const html = part("layout")
    .replaceAll("{{page}}", () => page)
    .replace("{{title}}", () => title)
    .replace("{{content}}", () => content)
    .replace(/\{\{ui\.(\w+)\}\}/g, (_, name: string) => {
      const path = UI_PATHS[name as keyof typeof UI_PATHS] as string | undefined;
      if (path === undefined) throw new Error(`${page}.html names {{ui.${name}}}, which src/server/ui-paths.ts does not have`);
      return path;
    });
  writeFileSync(join(out, `${page}.html`), html);
}

// The budget: at most 100 KB of JavaScript per page, gzipped.
const sizes = Object.fromEntries(
  readdirSync(join(out, "assets"))
    .filter((name) => name.endsWith(".js"))
    .map((name) => [name, gzipSync(readFileSync(join(out, "assets", name))).length]),
);
writeFileSync(join(out, "sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
for (const [name, gzipped] of Object.entries(sizes)) {
  if (gzipped > 100 * 1024) throw new Error(`${name} is ${gzipped} bytes gzipped, over the 100 KB budget`);
}
process.stdout.write(
  `web: ${Object.entries(sizes)
    .map(([name, size]) => `${name} ${(size / 1024).toFixed(1)} KB gzipped`)
    .join(", ")} (${statSync(out).isDirectory() ? out : ""})\n`,
);
