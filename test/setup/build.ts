// Vitest global setup: builds dist/ once per run (as `npm run build` does), so tests that run
// "npm start"'s build (several replicas) test what a deployment runs, and servers find the pages.
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  const root = join(import.meta.dirname, "..", "..");
  execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  // The hosted password pages (web/), which every server serves under /ui/.
  execFileSync(process.execPath, ["--import", "tsx", join(root, "web", "build.ts")], { cwd: root, stdio: "inherit" });
}
