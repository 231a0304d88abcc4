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
  const v = new Violations();
  let nodes = 0;
  const text = (field: string, value: string) => {
    if ([...value].length > LONGEST_VALUE) v.add(field, `must be at most ${LONGEST_VALUE} characters long`);
    return value;
  };
  const list = (field: string, values: string[]) => {
    if (values.length > MOST_LISTED_VALUES) v.add(field, `may list at most ${MOST_LISTED_VALUES} values`);
    values.forEach((value, i) => text(`${field}[${i}]`, value));
    return values;
  };
  const method = (m: TextQueryMethod) => TEXT_METHODS[m] ?? "equals";

  const filterOf = (query: SearchQuery, field: string, depth: number): UserFilter => {
    if (++nodes > MOST_FILTERS) {
      v.add("queries", `may hold at most ${MOST_FILTERS} queries in all`);
      return { kind: "none" };
    }
    if (depth > DEEPEST_FILTER) {
      v.add(field, `nests deeper than ${DEEPEST_FILTER} levels`);
      return { kind: "none" };
    }
    const q = query.query;
    const textFilter = (name: TextField, value: string, m: TextQueryMethod): UserFilter => ({
      kind: "text",
      field: name,
      method: method(m),
      value: text(`${field}.${q.case}`, value),
    });
    switch (q.case) {
      case "userNameQuery":
        return textFilter("username", q.value.userName, q.value.method);
      case "firstNameQuery":
        return textFilter("given_name", q.value.firstName, q.value.method);
      case "lastNameQuery":
        return textFilter("family_name", q.value.lastName, q.value.method);
      case "nickNameQuery":
        return textFilter("nick_name", q.value.nickName, q.value.method);
      case "displayNameQuery":
        return textFilter("display_name", q.value.displayName, q.value.method);
      case "emailQuery":
        return textFilter("email", q.value.emailAddress, q.value.method);
      case "phoneQuery":
        return textFilter("phone", q.value.number, q.value.method);
      case "loginNameQuery":
        return { kind: "login_name", method: method(q.value.method), value: text(`${field}.loginNameQuery`, q.value.loginName) };
      case "inUserIdsQuery":
        return { kind: "ids", userIds: list(`${field}.inUserIdsQuery.userIds`, q.value.userIds) };
      case "inUserEmailsQuery":
        return { kind: "emails", emails: list(`${field}.inUserEmailsQuery.userEmails`, q.value.userEmails) };
      case "organizationIdQuery":
        return { kind: "org", orgId: text(`${field}.organizationIdQuery`, q.value.organizationId) };
      case "stateQuery":
        // Users are active or locked here; no user is in any other state.
        if (q.value.state === UserState.ACTIVE) return { kind: "locked", locked: false };
        if (q.value.state === UserState.LOCKED) return { kind: "locked", locked: true };
        return { kind: "none" };
      case "typeQuery":
        return q.value.type === Type.MACHINE ? { kind: "none" } : { kind: "all" };
      case "andQuery":
      case "orQuery":
        return {
          kind: q.case === "andQuery" ? "and" : "or",
          filters: q.value.queries.map((inner, i) => filterOf(inner, `${field}.${q.case}.queries[${i}]`, depth + 1)),
        };
      case "notQuery":
        return q.value.query === undefined
          ? { kind: "none" }
          : { kind: "not", filter: filterOf(q.value.query, `${field}.notQuery.query`, depth + 1) };
      default:
        v.add(field, "must hold a query");
        return { kind: "none" };
    }
  };

  const filters = req.queries.map((query, i) => filterOf(query, `queries[${i}]`, 1));
  const page = pageOf(req.query);
  v.throwIfAny();
  return { filter: { kind: "and", filters }, sort: SORT_COLUMNS[req.sortingColumn] ?? "created_at", ...page };
}

function pageOf(query: ListQuery | undefined): Pick<UserSearch, "offset" | "limit" | "asc"> {
  return { limit: pageSize(query?.limit ?? 0), offset: cappedNumber(query?.offset ?? 0n), asc: query?.asc ?? false };
}
