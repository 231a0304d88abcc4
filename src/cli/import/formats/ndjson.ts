import type { JsonObject } from "@bufbuild/protobuf";
import { jsonLines } from "../read-json.js";
import { unreadable, type SourceFormat } from "../source-record.js";

/** One AddHumanUserRequest in Connect JSON per line; `"locked": true` beside its fields imports it locked. */
export const ndjson: SourceFormat = async function* (input) {
  for await (const parsed of jsonLines(input)) {
    if ("error" in parsed) yield unreadable(parsed.at, "", parsed.error);
    else if (typeof parsed.value !== "object" || parsed.value === null || Array.isArray(parsed.value)) {
      yield unreadable(parsed.at, "", "is not a JSON object");
    } else {
      const { locked, ...user } = parsed.value as JsonObject;
      yield { where: parsed.at, user, ...(locked === true && { locked: true }) };
    }
  }
};
