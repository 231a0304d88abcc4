// The ceiling for password-bound calls: the same bcrypt work in a plain Node process, with the
// same concurrency as the server allows itself. Prints {opsPerSecond} as JSON.
import bcrypt from "bcrypt";

const [cost, concurrency, durationMs, kind] = process.argv.slice(2) as [string, string, string, "set" | "check"];
const hash = await bcrypt.hash("warm-up-password", Number(cost));
let done = 0;
const until = performance.now() + Number(durationMs);
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < until) {
      await bcrypt.compare("warm-up-password", hash);
      if (kind === "set") await bcrypt.hash("another-password", Number(cost));
      done++;
    }
  }),
);
process.stdout.write(JSON.stringify({ opsPerSecond: (done * 1000) / Number(durationMs) }) + "\n");
