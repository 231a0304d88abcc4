import type { SessionState } from "../domain/session.js";
import { upsertStatement, type Sql } from "./sql.js";

interface SessionRow {
  session_id: string;
  org_id: string;
  user_id: string;
  login_name: string;
  display_name: string;
  token_digest: string;
  sequence: number;
  created_at: number;
  changed_at: number;
  expires_at: number;
  password_version: number;
  user_checked_at: number;
  password_checked_at: number;
  terminated: number;
}

const toRow = (s: SessionState): SessionRow => ({
  session_id: s.sessionId,
  org_id: s.orgId,
  user_id: s.userId,
  login_name: s.loginName,
  display_name: s.displayName,
  token_digest: s.tokenDigest,
  sequence: s.sequence,
  created_at: s.createdAt,
  changed_at: s.changedAt,
  expires_at: s.expiresAt,
  password_version: s.passwordVersion,
  user_checked_at: s.userCheckedAt,
  password_checked_at: s.passwordCheckedAt,
  terminated: Number(s.terminated),
});

const fromRow = (r: SessionRow): SessionState => ({
  sessionId: r.session_id,
  orgId: r.org_id,
  userId: r.user_id,
  loginName: r.login_name,
  displayName: r.display_name,
  tokenDigest: r.token_digest,
  sequence: r.sequence,
  createdAt: r.created_at,
  changedAt: r.changed_at,
  expiresAt: r.expires_at,
  passwordVersion: r.password_version,
  userCheckedAt: r.user_checked_at,
  passwordCheckedAt: r.password_checked_at,
  terminated: r.terminated === 1,
});

const COLUMNS = Object.keys(toRow({} as SessionState));
const UPSERT = upsertStatement("sessions", COLUMNS, "session_id");

export class SessionProjection {
  constructor(private readonly sql: Sql) {}

  async get(sessionId: string): Promise<SessionState | null> {
    const row = await this.sql.get<SessionRow>(`SELECT * FROM sessions WHERE session_id = ?`, [sessionId]);
    return row ? fromRow(row) : null;
  }

  async byTokenDigest(digest: string): Promise<SessionState | null> {
    const row = await this.sql.get<SessionRow>(`SELECT * FROM sessions WHERE token_digest = ?`, [digest]);
    return row ? fromRow(row) : null;
  }

  async save(state: SessionState): Promise<void> {
    const row = toRow(state);
    await this.sql.run(
      UPSERT,
      COLUMNS.map((c) => row[c as keyof SessionRow]),
    );
  }
}
