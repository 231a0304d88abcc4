/**
 * Where the hosted pages live: the server's routes, the default reset link, and the pages' own
 * links (web/build.ts writes them into the HTML) all come from here.
 */
export const UI_PATHS = {
  root: "/ui",
  forgot: "/ui/password/forgot",
  reset: "/ui/password/reset",
  change: "/ui/password/change",
  assets: "/ui/assets",
  brandCss: "/ui/brand.css",
} as const;
