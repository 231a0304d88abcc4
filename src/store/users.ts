import type { LockoutPolicy, LockReason } from "../domain/lockout.js";
import type { CodeMedium } from "../domain/password-code.js";
import type { UserSearch } from "../domain/user-search.js";
import { orderClause, whereClause } from "./user-search.js";
import type { LoginNameKind } from "../domain/user-input.js";
import { MAX_PASSWORD_HISTORY, type Gender, type UserState } from "../domain/user.js";
import { upsertStatement, type Sql } from "./sql.js";

interface UserRow {
  user_id: string;
  org_id: string;
  sequence: number;
  created_at: number;
  changed_at: number;
  username: string;
  email: string;
  email_verified: number;
  phone: string | null;
  phone_verified: number;
  given_name: string;
  family_name: string;
  nick_name: string | null;
  display_name: string | null;
  preferred_language: string | null;
  gender: string;
  password_hash: string | null;
  password_change_required: number;
  password_changed_at: number | null;
  password_version: number;
  kept_session_id: string | null;
  password_history: string;
  code_digest: string | null;
  code_created_at: number | null;
  code_expires_at: number | null;
  code_failed_attempts: number | null;
  code_link_id: string | null;
  code_sent_at: number | null;
  code_medium: CodeMedium | null;
  locked: number;
  lock_reason: LockReason | null;
  locked_at: number | null;
  password_lockouts: number;
  failed_password_attempts: number;
  deactivated: number;
}

/** A login name is held by another user. */
export class LoginNameTakenError extends Error {
  constructor(readonly kind: LoginNameKind) {
    super(`${kind} is taken`);
    this.name = "LoginNameTakenError";
  }
}

function toRow(s: UserState, historyKept = MAX_PASSWORD_HISTORY): UserRow {
  return {
    user_id: s.userId,
    org_id: s.orgId,
    sequence: s.sequence,
    created_at: s.createdAt,
    changed_at: s.changedAt,
    username: s.username,
    email: s.email,
    email_verified: Number(s.emailVerified),
    phone: s.phone,
    phone_verified: Number(s.phoneVerified),
    given_name: s.profile.givenName,
    family_name: s.profile.familyName,
    nick_name: s.profile.nickName ?? null,
    display_name: s.profile.displayName ?? null,
    preferred_language: s.profile.preferredLanguage ?? null,
    gender: s.profile.gender,
    password_hash: s.passwordHash,
    password_change_required: Number(s.passwordChangeRequired),
    password_changed_at: s.passwordChangedAt,
    password_version: s.passwordVersion,
    kept_session_id: s.keptSessionId,
    password_history: JSON.stringify((s.passwordHistory ?? []).slice(0, historyKept)),
    code_digest: s.passwordCode?.digest ?? null,
    code_created_at: s.passwordCode?.createdAt ?? null,
    code_expires_at: s.passwordCode?.expiresAt ?? null,
    code_failed_attempts: s.passwordCode?.failedAttempts ?? null,
    code_link_id: s.passwordCode?.linkId ?? null,
    code_sent_at: s.passwordCode?.sentAt ?? null,
    code_medium: s.passwordCode?.medium ?? null,
    locked: Number(s.lock !== null),
    lock_reason: s.lock?.reason ?? null,
    locked_at: s.lock?.at ?? null,
    password_lockouts: s.passwordLockouts,
    failed_password_attempts: s.failedPasswordAttempts,
    deactivated: Number(s.deactivated),
  };
}

function fromRow(r: UserRow): UserState {
  return {
    userId: r.user_id,
    orgId: r.org_id,
    sequence: r.sequence,
    createdAt: r.created_at,
    changedAt: r.changed_at,
    username: r.username,
    email: r.email,
    emailVerified: r.email_verified === 1,
    phone: r.phone,
    phoneVerified: r.phone_verified === 1,
    profile: {
      givenName: r.given_name,
      familyName: r.family_name,
      ...(r.nick_name !== null && { nickName: r.nick_name }),
      ...(r.display_name !== null && { displayName: r.display_name }),
      ...(r.preferred_language !== null && { preferredLanguage: r.preferred_language }),
      gender: r.gender as Gender,
    },
    passwordHash: r.password_hash,
    passwordChangeRequired: r.password_change_required === 1,
    passwordChangedAt: r.password_changed_at,
    passwordVersion: r.password_version,
    keptSessionId: r.kept_session_id,
    passwordHistory: JSON.parse(r.password_history) as string[],
    passwordCode:
      r.code_digest === null
        ? null
        : {
            digest: r.code_digest,
            createdAt: r.code_created_at ?? 0,
            expiresAt: r.code_expires_at ?? 0,
            failedAttempts: r.code_failed_attempts ?? 0,
            linkId: r.code_link_id,
            sentAt: r.code_sent_at ?? r.code_created_at ?? 0,
            medium: r.code_medium ?? (r.code_link_id === null ? "returned" : "email"),
          },
    lock: r.lock_reason === null ? null : { reason: r.lock_reason, at: r.locked_at ?? 0 },
    passwordLockouts: r.password_lockouts,
    failedPasswordAttempts: r.failed_password_attempts,
    deactivated: r.deactivated === 1,
  };
}

const COLUMNS = Object.keys(toRow({ profile: {} } as UserState));
const UPSERT = upsertStatement("users", COLUMNS, "user_id");

/** The users table is the current state of every user aggregate: writes load it instead of replaying events. */
export class UserProjection {
  /** `historyKept`: earlier password hashes stored per user; no more than the reuse rule needs. */
  constructor(
    private readonly sql: Sql,
    private readonly historyKept: number,
  ) {}

  async get(userId: string): Promise<UserState | null> {
    const row = await this.sql.get<UserRow>(`SELECT * FROM users WHERE user_id = ?`, [userId]);
    return row ? fromRow(row) : null;
  }

  async save(state: UserState): Promise<void> {
    const row = toRow(state, this.historyKept);
    await this.sql.run(
      UPSERT,
      COLUMNS.map((c) => row[c as keyof UserRow]),
    );
  }

  /** One page of the users a search finds, and how many it finds in all. */
  async search(search: UserSearch, lockout: LockoutPolicy, now: number): Promise<{ total: number; users: UserState[] }> {
    const where = whereClause(this.sql, search.filter, lockout, now);
    const order = orderClause(search, lockout, now);
    const once = { keep: false };
    const counted = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE ${where.sql}`, where.params, once);
    const rows = await this.sql.all<UserRow>(
      `SELECT * FROM users WHERE ${where.sql} ${order.sql} LIMIT ? OFFSET ?`,
      [...where.params, ...order.params, search.limit, search.offset],
      once,
    );
    return { total: Number(counted!.n), users: rows.map(fromRow) };
  }

  /** Users' current password hashes, a page at a time in id order after `afterUserId` (the hash census). */
  async passwordHashes(afterUserId: string, limit: number): Promise<Array<{ userId: string; passwordHash: string | null }>> {
    const rows = await this.sql.all<{ user_id: string; password_hash: string | null }>(
      `SELECT user_id, password_hash FROM users WHERE user_id > ? ORDER BY user_id LIMIT ?`,
      [afterUserId, limit],
      { keep: false },
    );
    return rows.map((r) => ({ userId: r.user_id, passwordHash: r.password_hash }));
  }

  /** How many users' current password hashes start with this prefix (a pepper still in use). */
  async countWithHashPrefix(prefix: string): Promise<number> {
    const row = await this.sql.get<{ n: number }>(`SELECT COUNT(*) AS n FROM users WHERE substr(password_hash, 1, ?) = ?`, [
      prefix.length,
      prefix,
    ]);
    return Number(row!.n);
  }

  /** Which of these user ids exist (for a batch of new users, in one look-up). */
  async existingIds(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const list = this.sql.dialect.textList(userIds);
    const rows = await this.sql.all<{ user_id: string }>(`SELECT user_id FROM users WHERE user_id IN (SELECT value FROM ${list.table})`, [
      list.param,
    ]);
    return new Set(rows.map((r) => r.user_id));
  }

  /** Which of these login name keys are held by a user (for a batch of new users, in one look-up). */
  async heldNames(nameKeys: readonly string[]): Promise<Set<string>> {
    if (nameKeys.length === 0) return new Set();
    const list = this.sql.dialect.textList(nameKeys);
    const rows = await this.sql.all<{ name_key: string }>(
      `SELECT name_key FROM login_names WHERE name_key IN (SELECT value FROM ${list.table})`,
      [list.param],
    );
    return new Set(rows.map((r) => r.name_key));
  }

  /** The user holding a login name key, if any. */
  async ownerOf(nameKey: string): Promise<string | null> {
    const row = await this.sql.get<{ user_id: string }>(`SELECT user_id FROM login_names WHERE name_key = ?`, [nameKey]);
    return row?.user_id ?? null;
  }

  /**
   * Claims each name for the user; a name held by another user throws LoginNameTakenError. The
   * table's key decides between writers on any replica: no read comes before the claim.
   */
  async claim(userId: string, names: ReadonlyArray<{ key: string; kind: LoginNameKind }>): Promise<void> {
    for (const { key, kind } of names) {
      const { changes } = await this.sql.run(
        `INSERT INTO login_names (name_key, user_id, kind) VALUES (?, ?, ?) ON CONFLICT (name_key) DO NOTHING`,
        [key, userId, kind],
      );
      if (changes === 0 && (await this.ownerOf(key)) !== userId) throw new LoginNameTakenError(kind);
    }
  }
}
