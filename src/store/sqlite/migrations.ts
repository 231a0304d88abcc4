/** Schema migrations, applied in order; `PRAGMA user_version` records how many have run. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    position       INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id    TEXT    NOT NULL,
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL,
    event_type     TEXT    NOT NULL,
    revision       INTEGER NOT NULL,
    payload        TEXT    NOT NULL,
    creator        TEXT    NOT NULL,
    owner          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (instance_id, aggregate_type, aggregate_id, sequence)
  ) STRICT;
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  CREATE TABLE orgs (
    org_id     TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL,
    domain     TEXT    NOT NULL UNIQUE,
    sequence   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE users (
    user_id                  TEXT    PRIMARY KEY,
    org_id                   TEXT    NOT NULL,
    sequence                 INTEGER NOT NULL,
    created_at               INTEGER NOT NULL,
    changed_at               INTEGER NOT NULL,
    username                 TEXT    NOT NULL,
    email                    TEXT    NOT NULL,
    email_verified           INTEGER NOT NULL,
    phone                    TEXT,
    phone_verified           INTEGER NOT NULL,
    given_name               TEXT    NOT NULL,
    family_name              TEXT    NOT NULL,
    nick_name                TEXT,
    display_name             TEXT,
    preferred_language       TEXT,
    gender                   TEXT    NOT NULL,
    password_hash            TEXT,
    password_change_required INTEGER NOT NULL,
    password_changed_at      INTEGER,
    code_digest              TEXT,
    code_expires_at          INTEGER,
    code_failed_attempts     INTEGER
  ) STRICT;

  -- Usernames and e-mail addresses share one case-insensitive namespace: either logs in.
  CREATE TABLE login_names (
    name_key TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL,
    kind     TEXT NOT NULL
  ) STRICT;
  CREATE INDEX login_names_by_user ON login_names (user_id);

  CREATE TABLE api_tokens (
    token_id    TEXT    PRIMARY KEY,
    digest      TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    permissions TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;

  -- Messages to deliver, written in the transaction of the event that causes them.
  CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id    TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    sealed_secret TEXT,
    status        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX outbox_pending ON outbox (status, id);

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  `,
  // Lockout, sessions, password history. Projections are rebuilt after this (PROJECTION_VERSION).
  `
  ALTER TABLE users ADD COLUMN password_version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN kept_session_id TEXT;
  ALTER TABLE users ADD COLUMN password_history TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE users ADD COLUMN code_created_at INTEGER;
  ALTER TABLE users ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE users ADD COLUMN failed_password_attempts INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE sessions (
    session_id          TEXT    PRIMARY KEY,
    org_id              TEXT    NOT NULL,
    user_id             TEXT    NOT NULL,
    login_name          TEXT    NOT NULL,
    display_name        TEXT    NOT NULL,
    token_digest        TEXT    NOT NULL UNIQUE,
    sequence            INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    changed_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    password_version    INTEGER NOT NULL,
    user_checked_at     INTEGER NOT NULL,
    password_checked_at INTEGER NOT NULL,
    terminated          INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX sessions_by_user ON sessions (user_id);
  `,
  // Delivery: retries are scheduled, and a finished message keeps its outcome.
  `
  ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE outbox ADD COLUMN last_error TEXT;
  ALTER TABLE outbox ADD COLUMN finished_at INTEGER;
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
  `,
  // Lock kinds and timed lockouts. Projections are rebuilt after this (PROJECTION_VERSION 3).
  `
  ALTER TABLE users ADD COLUMN lock_reason TEXT;
  ALTER TABLE users ADD COLUMN locked_at INTEGER;
  ALTER TABLE users ADD COLUMN password_lockouts INTEGER NOT NULL DEFAULT 0;
  `,
  // Link codes can be sent again unchanged. Projections are rebuilt after this (PROJECTION_VERSION 4).
  `
  ALTER TABLE users ADD COLUMN code_link_id TEXT;
  ALTER TABLE users ADD COLUMN code_sent_at INTEGER;
  `,
  // Several replicas: outbox rows are leased to one worker; rate limits and login failures are shared.
  `
  ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
  ALTER TABLE outbox ADD COLUMN lease_until INTEGER;

  CREATE TABLE rate_limits (
    key     TEXT    PRIMARY KEY,
    tat     REAL    NOT NULL,
    allowed INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX rate_limits_by_time ON rate_limits (tat);

  CREATE TABLE login_failures (
    name_key   TEXT    PRIMARY KEY,
    attempts   INTEGER NOT NULL,
    lockout    TEXT,
    version    INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX login_failures_by_expiry ON login_failures (expires_at);
  `,
  // ListUsers: look-ups by username, e-mail address and organization stay flat.
  `
  CREATE INDEX users_by_username ON users (lower(username));
  CREATE INDEX users_by_email ON users (lower(email));
  CREATE INDEX users_by_org ON users (org_id);
  CREATE INDEX users_by_creation ON users (created_at);
  `,
  // A code's medium, for GetPasswordResetRequest. Projections are rebuilt after this (PROJECTION_VERSION 5).
  `
  ALTER TABLE users ADD COLUMN code_medium TEXT;
  `,
  // The audit trail reads one aggregate's events.
  `
  CREATE INDEX events_by_aggregate ON events (aggregate_id, position);
  `,
  // API tokens are event-sourced: their table becomes a projection (PROJECTION_VERSION 6); uses are kept beside it.
  `
  ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_tokens ADD COLUMN revoked_at INTEGER;
  ALTER TABLE api_tokens ADD COLUMN expired_at INTEGER;
  ALTER TABLE api_tokens ADD COLUMN sequence   INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE api_token_usage (
    token_id     TEXT    PRIMARY KEY,
    last_used_at INTEGER NOT NULL
  ) STRICT;
  `,
  // DeactivateUser (no user was deactivated before: the default holds for every existing row).
  `
  ALTER TABLE users ADD COLUMN deactivated INTEGER NOT NULL DEFAULT 0;
  `,
];
