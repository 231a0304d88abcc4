import type { Sql } from "./sql.js";

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
  constructor(private readonly sql: Sql) {}

  async byDigest(digest: string): Promise<(ApiToken & { digest: string }) | null> {
    const row = await this.sql.get<TokenRow>(`SELECT token_id, digest, name, permissions FROM api_tokens WHERE digest = ?`, [digest]);
    return row ? { tokenId: row.token_id, digest: row.digest, name: row.name, permissions: JSON.parse(row.permissions) as string[] } : null;
  }

  async put(token: ApiToken, digest: string, createdAt: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO api_tokens (token_id, digest, name, permissions, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (token_id) DO UPDATE SET digest = excluded.digest, name = excluded.name, permissions = excluded.permissions`,
      [token.tokenId, digest, token.name, JSON.stringify(token.permissions), createdAt],
    );
  }
}
