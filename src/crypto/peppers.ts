import { createHmac, hkdfSync } from "node:crypto";

/** One pepper: a key kept outside the database that password hashes are made under. */
export interface Pepper {
  id: string;
  key: Buffer;
  /** Tells whether two configurations hold the same pepper under an id, and nothing about it. */
  fingerprint: string;
}

/** The configured peppers: new hashes use the current one; hashes under any of them verify. */
export class Peppers {
  private readonly byId: ReadonlyMap<string, Pepper>;

  constructor(readonly all: readonly Pepper[]) {
    this.byId = new Map(all.map((p) => [p.id, p]));
  }

  /** The first configured pepper, or null when none is. */
  get current(): Pepper | null {
    return this.all[0] ?? null;
  }

  get(id: string): Pepper | undefined {
    return this.byId.get(id);
  }

  static none(): Peppers {
    return new Peppers([]);
  }

  static from(entries: readonly { id: string; secret: string }[]): Peppers {
    return new Peppers(entries.map(({ id, secret }) => pepper(id, secret)));
  }
}

function pepper(id: string, secret: string): Pepper {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.alloc(0), "latchkey/pepper", 32));
  const fingerprint = createHmac("sha256", key).update("latchkey/pepper-fingerprint").digest().subarray(0, 16).toString("base64url");
  return { id, key, fingerprint };
}
