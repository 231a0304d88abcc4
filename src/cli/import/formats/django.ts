import { jsonArray } from "../read-json.js";
import { namesOf, unreadable, userRecord, type SourceFormat } from "../source-record.js";

interface DjangoUser {
  model?: string;
  pk?: number | string;
  fields?: { username?: string; email?: string; first_name?: string; last_name?: string; password?: string; is_active?: boolean };
}

/** `manage.py dumpdata auth.user`: the user's pk as its id, and Django's password field as its hash. */
export const django: SourceFormat = async function* (input) {
  for await (const parsed of jsonArray(input)) {
    if ("error" in parsed) {
      yield unreadable(parsed.at, "", parsed.error);
      continue;
    }
    const record = parsed.value as DjangoUser;
    const fields = record.fields;
    if (typeof record.model !== "string" || !/\.user$/.test(record.model) || fields === undefined) {
      yield unreadable(parsed.at, "model", "is not a user of Django's auth app (auth.user)");
      continue;
    }
    // Django marks a user without a usable password with a leading "!".
    const hash = fields.password && !fields.password.startsWith("!") ? fields.password : undefined;
    const names = namesOf({ given: fields.first_name, family: fields.last_name, fallback: fields.username });
    yield userRecord(
      parsed.at,
      { userId: String(record.pk ?? ""), username: fields.username, email: fields.email, names, hash },
      fields.is_active === false,
    );
  }
};
