import type { ApiTokenState } from "../domain/api-token.js";
import { upsertStatement, type Sql } from "./sql.js";

interface TokenRow {
  token_id: string;
  digest: string;
  name: string;
  permissions: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  expired_at: number | null;
  sequence: number;
}

const COLUMNS = ["token_id", "digest", "name", "permissions", "created_at", "expires_at", "revoked_at", "expired_at", "sequence"];
const UPSERT = upsertStatement("api_tokens", COLUMNS, "token_id");

const fromRow = (r: TokenRow): ApiTokenState => ({
  tokenId: r.token_id,
  digest: r.digest,
  name: r.name,
  permissions: JSON.parse(r.permissions) as string[],
  createdAt: Number(r.created_at),
  expiresAt: r.expires_at === null ? null : Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  expiredAt: r.expired_at === null ? null : Number(r.expired_at),
  sequence: Number(r.sequence),
});

/** The API tokens projection (stored only as keyed digests), and when each was last used. */
export class ApiTokens {
  constructor(private readonly sql: Sql) {}

  async byDigest(digest: string): Promise<(ApiTokenState & { lastUsedAt: number | null }) | null> {
    const row = await this.sql.get<TokenRow & { last_used_at: number | null }>(
      `SELECT t.*, u.last_used_at FROM api_tokens t LEFT JOIN api_token_usage u ON u.token_id = t.token_id WHERE t.digest = ?`,
      [digest],
    );
    return row ? withLastUse(row) : null;
  }

  async get(tokenId: string): Promise<ApiTokenState | null> {
    const row = await this.sql.get<TokenRow>(`SELECT * FROM api_tokens WHERE token_id = ?`, [tokenId]);
    return row ? fromRow(row) : null;
  }

  /** Every token, oldest first, with when it was last used. */
  async list(): Promise<(ApiTokenState & { lastUsedAt: number | null })[]> {
    const rows = await this.sql.all<TokenRow & { last_used_at: number | null }>(
      `SELECT t.*, u.last_used_at FROM api_tokens t LEFT JOIN api_token_usage u ON u.token_id = t.token_id ORDER BY t.created_at, t.token_id`,
    );
    return rows.map(withLastUse);
  }

  /** Tokens stored before they were event-sourced: no event stands behind them yet. */
  async unrecorded(): Promise<ApiTokenState[]> {
    return (await this.sql.all<TokenRow>(`SELECT * FROM api_tokens WHERE sequence = 0 ORDER BY created_at`)).map(fromRow);
  }

  /** Tokens past their expiry whose expiry no event records yet. */
  async expiredUnrecorded(now: number): Promise<ApiTokenState[]> {
    const rows = await this.sql.all<TokenRow>(
      `SELECT * FROM api_tokens WHERE expires_at <= ? AND expired_at IS NULL AND revoked_at IS NULL AND sequence > 0`,
      [now],
    );
    return rows.map(fromRow);
  }

  async save(token: ApiTokenState): Promise<void> {
    await this.sql.run(UPSERT, [
      token.tokenId,
      token.digest,
      token.name,
      JSON.stringify(token.permissions),
      token.createdAt,
      token.expiresAt,
      token.revokedAt,
      token.expiredAt,
      token.sequence,
    ]);
  }

  /** Records a use unless one within the resolution is recorded (by any replica). */
  async markUsed(tokenId: string, now: number, resolutionMs: number): Promise<void> {
    await this.sql.run(
      `INSERT INTO api_token_usage (token_id, last_used_at) VALUES (?, ?)
       ON CONFLICT (token_id) DO UPDATE SET last_used_at = excluded.last_used_at WHERE api_token_usage.last_used_at <= ?`,
      [tokenId, now, now - resolutionMs],
    );
  }
}

function withLastUse(row: TokenRow & { last_used_at: number | null }): ApiTokenState & { lastUsedAt: number | null } {
  return Object.assign(fromRow(row), { lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at) });
}
