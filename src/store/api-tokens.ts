import type { Db } from "./database.js";

export interface ApiToken {
  tokenId: string;
  name: string;
  permissions: string[];
}

interface TokenRow {
  token_id: string;
  digest: string;
  name: string;
  permissions: string;
}

/** API tokens, stored only as keyed digests. */
export class ApiTokens {
  private readonly byDigestStmt;
  private readonly upsertStmt;

  constructor(db: Db) {
    this.byDigestStmt = db.prepare(`SELECT token_id, digest, name, permissions FROM api_tokens WHERE digest = ?`);
    this.upsertStmt = db.prepare(
      `INSERT INTO api_tokens (token_id, digest, name, permissions, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (token_id) DO UPDATE SET digest = excluded.digest, name = excluded.name, permissions = excluded.permissions`,
    );
  }

  byDigest(digest: string): (ApiToken & { digest: string }) | null {
    const row = this.byDigestStmt.get(digest) as TokenRow | undefined;
    return row ? { tokenId: row.token_id, digest: row.digest, name: row.name, permissions: JSON.parse(row.permissions) as string[] } : null;
  }

  put(token: ApiToken, digest: string, createdAt: number): void {
    this.upsertStmt.run(token.tokenId, digest, token.name, JSON.stringify(token.permissions), createdAt);
  }
}
