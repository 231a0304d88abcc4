// The ceiling for password-bound calls: the same hashing work in a plain Node process (bcrypt, or
// Argon2id through @node-rs/argon2), with the same concurrency as the server allows itself, on
// libuv's threads. Prints {opsPerSecond} as JSON.
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcrypt";

type Scheme = { name: "bcrypt"; cost: number } | { name: "argon2id"; memoryKiB: number; passes: number; parallelism: number };
const [schemeJson, concurrency, durationMs, kind] = process.argv.slice(2) as [string, string, string, "set" | "check"];
const scheme = JSON.parse(schemeJson) as Scheme;

const { hash, verify } =
  scheme.name === "bcrypt"
    ? {
        hash: (password: string) => bcrypt.hash(password, scheme.cost),
        verify: (password: string, h: string) => bcrypt.compare(password, h),
      }
    : {
        hash: (password: string) =>
          argon2Hash(password, { algorithm: 2, memoryCost: scheme.memoryKiB, timeCost: scheme.passes, parallelism: scheme.parallelism }),
        verify: (password: string, h: string) => argon2Verify(h, password),
      };

const stored = await hash("warm-up-password");
let done = 0;
const until = performance.now() + Number(durationMs);
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < until) {
      await verify("warm-up-password", stored);
      if (kind === "set") await hash("another-password");
      done++;
    }
  }),
);
process.stdout.write(JSON.stringify({ opsPerSecond: (done * 1000) / Number(durationMs) }) + "\n");
