import { verifySync } from "@node-rs/argon2";
import type { HashReader } from "./imported-hash.js";
import { ARGON2_KIB_PASSES_PER_UNIT } from "./work.js";

const PHC = /^\$(argon2id|argon2i|argon2d)\$v=(16|19)\$m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** The PHC string format: `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (also argon2i and argon2d). */
export const readArgon2: HashReader = (encoded) => {
  const match = PHC.exec(encoded);
  if (match === null) return null;
  const [, variant, , memory, passes, lanes] = match;
  return {
    family: variant!,
    cost: { memoryKiB: Number(memory), passes: Number(passes), parallelism: Number(lanes) },
    work: { parameter: "memory (KiB) times passes", value: Number(memory) * Number(passes), perUnit: ARGON2_KIB_PASSES_PER_UNIT },
    verify: (password) => {
      try {
        return verifySync(encoded, password);
      } catch {
        return false; // parameters the library refuses: no password matches
      }
    },
  };
};

/** Django's `argon2$argon2id$v=19$…`: the PHC string after its algorithm name. */
export const readDjangoArgon2: HashReader = (encoded) => {
  if (!encoded.startsWith("argon2$")) return null;
  const inner = readArgon2(encoded.slice("argon2".length));
  return inner && { ...inner, family: `django-${inner.family}` };
};
