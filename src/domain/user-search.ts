/** What ListUsers can ask for, independent of the wire and of the database. */
export type TextMethod =
  | "equals"
  | "equals_ignore_case"
  | "starts_with"
  | "starts_with_ignore_case"
  | "contains"
  | "contains_ignore_case"
  | "ends_with"
  | "ends_with_ignore_case";

export type TextField = "username" | "given_name" | "family_name" | "nick_name" | "display_name" | "email" | "phone";

export type UserFilter =
  | { kind: "text"; field: TextField; method: TextMethod; value: string }
  /** Login names are usernames and e-mail addresses, compared as a login compares them. */
  | { kind: "login_name"; method: TextMethod; value: string }
  | { kind: "ids"; userIds: string[] }
  | { kind: "emails"; emails: string[] }
  | { kind: "org"; orgId: string }
  /** ZITADEL's user states, as they stand now: inactive (deactivated) before locked before active. */
  | { kind: "state"; state: "active" | "inactive" | "locked" }
  | { kind: "all" }
  | { kind: "none" }
  | { kind: "and"; filters: UserFilter[] }
  | { kind: "or"; filters: UserFilter[] }
  | { kind: "not"; filter: UserFilter };

export type SortColumn = "username" | "given_name" | "family_name" | "nick_name" | "display_name" | "email" | "state" | "created_at";

export interface UserSearch {
  filter: UserFilter;
  sort: SortColumn;
  asc: boolean;
  offset: number;
  limit: number;
}

/** A query's nodes and depth, bounded so that no request builds an unbounded statement. */
export const MOST_FILTERS = 50;
export const DEEPEST_FILTER = 5;
export const MOST_LISTED_VALUES = 1_000;
