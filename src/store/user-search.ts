import { passwordLockDurations, type LockoutPolicy } from "../domain/lockout.js";
import { loginNameKey } from "../domain/user-input.js";
import type { SortColumn, TextField, TextMethod, UserFilter, UserSearch } from "../domain/user-search.js";
import type { Sql } from "./sql.js";

interface Clause {
  sql: string;
  params: unknown[];
}

const COLUMNS: Record<TextField, string> = {
  username: "username",
  given_name: "given_name",
  family_name: "family_name",
  nick_name: "COALESCE(nick_name, '')",
  display_name: "COALESCE(display_name, '')",
  email: "email",
  phone: "COALESCE(phone, '')",
};

/**
 * The WHERE clause for a filter, on the users table. Equality on a username, e-mail address or
 * login name uses an index (lower(username), lower(email), login_names' key), so a look-up stays
 * flat however many users there are; the other text methods scan.
 */
export function whereClause(sql: Sql, filter: UserFilter, lockout: LockoutPolicy, now: number): Clause {
  switch (filter.kind) {
    case "all":
      return { sql: "1 = 1", params: [] };
    case "none":
      return { sql: "1 = 0", params: [] };
    case "text":
      return textClause(sql, COLUMNS[filter.field], filter.method, filter.value);
    case "login_name": {
      if (filter.method === "equals" || filter.method === "equals_ignore_case") {
        return { sql: "user_id IN (SELECT user_id FROM login_names WHERE name_key = ?)", params: [loginNameKey(filter.value)] };
      }
      const byUsername = textClause(sql, "username", filter.method, filter.value);
      const byEmail = textClause(sql, "email", filter.method, filter.value);
      return { sql: `(${byUsername.sql} OR ${byEmail.sql})`, params: [...byUsername.params, ...byEmail.params] };
    }
    case "ids": {
      const list = sql.dialect.textList(filter.userIds);
      return { sql: `user_id IN (SELECT value FROM ${list.table})`, params: [list.param] };
    }
    case "emails": {
      const list = sql.dialect.textList(filter.emails);
      return { sql: `lower(email) IN (SELECT lower(value) FROM ${list.table})`, params: [list.param] };
    }
    case "org":
      return { sql: "org_id = ?", params: [filter.orgId] };
    case "state": {
      if (filter.state === "inactive") return { sql: "deactivated = 1", params: [] };
      const locked = lockedNow(lockout, now);
      return { sql: `(deactivated = 0 AND ${filter.state === "locked" ? "" : "NOT "}${locked.sql})`, params: locked.params };
    }
    case "not": {
      const inner = whereClause(sql, filter.filter, lockout, now);
      return { sql: `NOT (${inner.sql})`, params: inner.params };
    }
    case "and":
    case "or": {
      if (filter.filters.length === 0) return { sql: filter.kind === "and" ? "1 = 1" : "1 = 0", params: [] };
      const parts = filter.filters.map((f) => whereClause(sql, f, lockout, now));
      return { sql: `(${parts.map((p) => p.sql).join(filter.kind === "and" ? " AND " : " OR ")})`, params: parts.flatMap((p) => p.params) };
    }
  }
}

function textClause(sql: Sql, column: string, method: TextMethod, value: string): Clause {
  const ignoreCase = method.endsWith("_ignore_case");
  const [left, right] = ignoreCase ? [`lower(${column})`, "lower(?)"] : [column, "?"];
  const length = [...value].length; // characters, as SQL counts them
  switch (method) {
    case "equals":
      // The index is on lower(column); the exact comparison then picks the case.
      return { sql: `(lower(${column}) = lower(?) AND ${column} = ?)`, params: [value, value] };
    case "equals_ignore_case":
      return { sql: `${left} = ${right}`, params: [value] };
    case "starts_with":
    case "starts_with_ignore_case":
      return { sql: `substr(${left}, 1, ${length}) = ${right}`, params: [value] };
    case "ends_with":
    case "ends_with_ignore_case":
      return length === 0 ? { sql: "1 = 1", params: [] } : { sql: sql.dialect.endsWith(left, right, length), params: [value] };
    case "contains":
    case "contains_ignore_case":
      return { sql: sql.dialect.contains(left, right), params: [value] };
  }
}

/**
 * Whether a user's lock is in force at `now`, as lockout.ts's isLocked decides it: from its table
 * of durations by lockouts in a row (whole numbers of milliseconds, written into the statement).
 */
function lockedNow(lockout: LockoutPolicy, now: number): Clause {
  const durations = passwordLockDurations(lockout);
  if (durations === null) return { sql: "(lock_reason IS NOT NULL)", params: [] };
  const last = durations.length - 1;
  const byCount = durations
    .slice(0, last)
    .map((ms, lockouts) => `WHEN password_lockouts <= ${lockouts} THEN ${Math.trunc(ms)}`)
    .join(" ");
  return {
    sql: `(lock_reason IS NOT NULL AND (lock_reason = 'administrator' OR locked_at + CASE ${byCount} ELSE ${Math.trunc(durations[last]!)} END > ?))`,
    params: [now],
  };
}

const SORTED_BY: Record<Exclude<SortColumn, "state">, string> = {
  username: "lower(username)",
  given_name: "lower(given_name)",
  family_name: "lower(family_name)",
  nick_name: "lower(COALESCE(nick_name, ''))",
  display_name: "lower(COALESCE(display_name, ''))",
  email: "lower(email)",
  created_at: "created_at",
};

/** `ORDER BY …, user_id` (a stable order for paging) and the parameters it takes. */
export function orderClause(search: UserSearch, lockout: LockoutPolicy, now: number): Clause {
  const direction = search.asc ? "ASC" : "DESC";
  if (search.sort === "state") {
    const locked = lockedNow(lockout, now);
    // In the order of ZITADEL's state numbers: active, inactive, locked.
    const rank = `CASE WHEN deactivated = 1 THEN 1 WHEN ${locked.sql} THEN 2 ELSE 0 END`;
    return { sql: `ORDER BY ${rank} ${direction}, user_id ${direction}`, params: locked.params };
  }
  return { sql: `ORDER BY ${SORTED_BY[search.sort]} ${direction}, user_id ${direction}`, params: [] };
}
