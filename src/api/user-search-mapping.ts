import { TextQueryMethod, type ListQuery } from "../../gen/zitadel/object/v2/object_pb.js";
import { Type, UserFieldName, type SearchQuery } from "../../gen/zitadel/user/v2/query_pb.js";
import type { ListUsersRequest } from "../../gen/zitadel/user/v2/user_service_pb.js";
import { UserState } from "../../gen/zitadel/user/v2/user_pb.js";
import { Violations } from "../domain/user-input.js";
import {
  DEEPEST_FILTER,
  MOST_FILTERS,
  MOST_LISTED_VALUES,
  type SortColumn,
  type TextField,
  type TextMethod,
  type UserFilter,
  type UserSearch,
} from "../domain/user-search.js";
import { cappedNumber, pageSize } from "./paging.js";

const TEXT_METHODS: Record<TextQueryMethod, TextMethod> = {
  [TextQueryMethod.EQUALS]: "equals",
  [TextQueryMethod.EQUALS_IGNORE_CASE]: "equals_ignore_case",
  [TextQueryMethod.STARTS_WITH]: "starts_with",
  [TextQueryMethod.STARTS_WITH_IGNORE_CASE]: "starts_with_ignore_case",
  [TextQueryMethod.CONTAINS]: "contains",
  [TextQueryMethod.CONTAINS_IGNORE_CASE]: "contains_ignore_case",
  [TextQueryMethod.ENDS_WITH]: "ends_with",
  [TextQueryMethod.ENDS_WITH_IGNORE_CASE]: "ends_with_ignore_case",
};

const SORT_COLUMNS: Record<UserFieldName, SortColumn> = {
  [UserFieldName.UNSPECIFIED]: "created_at",
  [UserFieldName.USER_NAME]: "username",
  [UserFieldName.FIRST_NAME]: "given_name",
  [UserFieldName.LAST_NAME]: "family_name",
  [UserFieldName.NICK_NAME]: "nick_name",
  [UserFieldName.DISPLAY_NAME]: "display_name",
  [UserFieldName.EMAIL]: "email",
  [UserFieldName.STATE]: "state",
  [UserFieldName.TYPE]: "created_at", // every user is human
  [UserFieldName.CREATION_DATE]: "created_at",
};

const LONGEST_VALUE = 200;

/** ListUsers' request as a search, its size bounded and every value checked. */
export function userSearchFrom(req: ListUsersRequest): UserSearch {
  const reader = new QueryReader();
  const filters = req.queries.map((query, i) => reader.filter(query, `queries[${i}]`, 1));
  const page = pageOf(req.query);
  reader.v.throwIfAny();
  return { filter: { kind: "and", filters }, sort: SORT_COLUMNS[req.sortingColumn] ?? "created_at", ...page };
}

type Query = SearchQuery["query"];

/** A text query: the column it searches, its value and how it compares. */
function textQueryOf(q: Query): { field: TextField; value: string; method: TextQueryMethod } | undefined {
  switch (q.case) {
    case "userNameQuery":
      return { field: "username", value: q.value.userName, method: q.value.method };
    case "firstNameQuery":
      return { field: "given_name", value: q.value.firstName, method: q.value.method };
    case "lastNameQuery":
      return { field: "family_name", value: q.value.lastName, method: q.value.method };
    case "nickNameQuery":
      return { field: "nick_name", value: q.value.nickName, method: q.value.method };
    case "displayNameQuery":
      return { field: "display_name", value: q.value.displayName, method: q.value.method };
    case "emailQuery":
      return { field: "email", value: q.value.emailAddress, method: q.value.method };
    case "phoneQuery":
      return { field: "phone", value: q.value.number, method: q.value.method };
    default:
      return undefined;
  }
}

/** Reads nested queries into filters, collecting every violation and bounding their number and depth. */
class QueryReader {
  readonly v = new Violations();
  private nodes = 0;

  filter(query: SearchQuery, field: string, depth: number): UserFilter {
    if (++this.nodes > MOST_FILTERS) {
      this.v.add("queries", `may hold at most ${MOST_FILTERS} queries in all`);
      return { kind: "none" };
    }
    if (depth > DEEPEST_FILTER) {
      this.v.add(field, `nests deeper than ${DEEPEST_FILTER} levels`);
      return { kind: "none" };
    }
    const q = query.query;
    const asText = textQueryOf(q);
    if (asText !== undefined) {
      return { kind: "text", field: asText.field, method: method(asText.method), value: this.text(`${field}.${q.case}`, asText.value) };
    }
    return this.otherFilter(q, field, depth);
  }

  private otherFilter(q: Query, field: string, depth: number): UserFilter {
    switch (q.case) {
      case "loginNameQuery":
        return { kind: "login_name", method: method(q.value.method), value: this.text(`${field}.loginNameQuery`, q.value.loginName) };
      case "inUserIdsQuery":
        return { kind: "ids", userIds: this.list(`${field}.inUserIdsQuery.userIds`, q.value.userIds) };
      case "inUserEmailsQuery":
        return { kind: "emails", emails: this.list(`${field}.inUserEmailsQuery.userEmails`, q.value.userEmails) };
      case "organizationIdQuery":
        return { kind: "org", orgId: this.text(`${field}.organizationIdQuery`, q.value.organizationId) };
      case "stateQuery":
        // Users are active, inactive or locked here; no user is in any other state.
        if (q.value.state === UserState.ACTIVE) return { kind: "state", state: "active" };
        if (q.value.state === UserState.INACTIVE) return { kind: "state", state: "inactive" };
        if (q.value.state === UserState.LOCKED) return { kind: "state", state: "locked" };
        return { kind: "none" };
      case "typeQuery":
        return q.value.type === Type.MACHINE ? { kind: "none" } : { kind: "all" };
      case "andQuery":
      case "orQuery":
        return {
          kind: q.case === "andQuery" ? "and" : "or",
          filters: q.value.queries.map((inner, i) => this.filter(inner, `${field}.${q.case}.queries[${i}]`, depth + 1)),
        };
      case "notQuery":
        return q.value.query === undefined
          ? { kind: "none" }
          : { kind: "not", filter: this.filter(q.value.query, `${field}.notQuery.query`, depth + 1) };
      default:
        this.v.add(field, "must hold a query");
        return { kind: "none" };
    }
  }

  private text(field: string, value: string): string {
    if ([...value].length > LONGEST_VALUE) this.v.add(field, `must be at most ${LONGEST_VALUE} characters long`);
    return value;
  }

  private list(field: string, values: string[]): string[] {
    if (values.length > MOST_LISTED_VALUES) this.v.add(field, `may list at most ${MOST_LISTED_VALUES} values`);
    values.forEach((value, i) => this.text(`${field}[${i}]`, value));
    return values;
  }
}

const method = (m: TextQueryMethod): TextMethod => TEXT_METHODS[m] ?? "equals";

function pageOf(query: ListQuery | undefined): Pick<UserSearch, "offset" | "limit" | "asc"> {
  return { limit: pageSize(query?.limit ?? 0), offset: cappedNumber(query?.offset ?? 0n), asc: query?.asc ?? false };
}
