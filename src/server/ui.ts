import { existsSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { packageRoot } from "../package-root.js";
import type { Request, Response } from "./handler.js";
import { UI_PATHS } from "./ui-paths.js";

/** The built pages (`npm run build` makes them from web/): dist/web beside dist/src. */
const UI_DIR = join(packageRoot(), "dist", "web");

const PAGES: Record<string, string> = {
  [UI_PATHS.forgot]: "forgot.html",
  [UI_PATHS.reset]: "reset.html",
  [UI_PATHS.change]: "change.html",
};
const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

/** No script or style but our own files, no framing, no referrer: the code in a reset link stays here. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

interface UiOptions {
  /** A directory whose brand.css is served after ours, to restyle the pages. */
  cssDir: string | undefined;
  /** The name the pages show above their heading. */
  productName: string | undefined;
}

/**
 * Serves the hosted password pages under /ui/: their HTML, scripts and styles, read once at
 * start. Returns a handler that answers and returns true for the paths it owns.
 */
export function createUi(options: UiOptions): (req: Request, res: Response) => boolean {
  if (!existsSync(join(UI_DIR, "forgot.html"))) {
    throw new Error(`the password pages are not built (${UI_DIR}): run npm run build, or set LATCHKEY_UI=false`);
  }
  const files = new Map<string, { body: Buffer; type: string; cache: string }>();
  const product =
    options.productName === undefined ? "" : `<meta name="product-name" content="${escapeAttribute(options.productName)}" />\n    `;
  for (const [path, file] of Object.entries(PAGES)) {
    const html = readFileSync(join(UI_DIR, file), "utf8").replace("<title", () => `${product}<title`); // literally: no $ patterns
    files.set(path, { body: Buffer.from(html), type: "text/html; charset=utf-8", cache: "no-store" });
  }
  for (const name of ["forgot.js", "reset.js", "change.js", "pages.css"]) {
    files.set(`${UI_PATHS.assets}/${name}`, {
      body: readFileSync(join(UI_DIR, "assets", name)),
      type: TYPES[extname(name)]!,
      cache: "no-cache",
    });
  }
  const brand = options.cssDir === undefined ? null : join(options.cssDir, "brand.css");
  files.set(UI_PATHS.brandCss, {
    body: brand !== null && existsSync(brand) ? readFileSync(brand) : Buffer.from("/* no brand.css in LATCHKEY_UI_CSS_DIR */\n"),
    type: TYPES[".css"]!,
    cache: "no-cache",
  });
  return (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    if (path !== UI_PATHS.root && !path.startsWith(`${UI_PATHS.root}/`)) return false;
    const file = files.get(path);
    if (file === undefined || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(file === undefined ? 404 : 405, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS });
      res.end(file === undefined ? "not found\n" : "method not allowed\n");
      return true;
    }
    res.writeHead(200, { "content-type": file.type, "cache-control": file.cache, "content-length": file.body.length, ...SECURITY_HEADERS });
    if (req.method === "HEAD") res.end();
    else res.end(file.body);
    return true;
  };
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
