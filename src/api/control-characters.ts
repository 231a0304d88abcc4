import type { DescMessage, Message } from "@bufbuild/protobuf";
import { isReflectList, isReflectMap, isReflectMessage, reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import type { Interceptor } from "@connectrpc/connect";
import { invalidArgument, type FieldViolation } from "../domain/errors.js";

/** C0 and C1 controls, NUL among them: no name, address, id, template or password has one. */
const CONTROL = /\p{Cc}/u;

/**
 * Refuses a unary request with a control character in any text field, at any depth, before a
 * service sees it: the same InvalidArgument on every backend (PostgreSQL cannot store NUL, SQLite
 * would), listing every field at fault by its proto path.
 */
export function controlCharactersInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      const violations = controlCharacterViolations(req.method.input, req.message);
      if (violations.length > 0) throw invalidArgument(violations);
    }
    return next(req);
  };
}

function controlCharacterViolations(schema: DescMessage, message: Message): FieldViolation[] {
  if (!anyControl(message)) return []; // the common case, without building a path for every field
  const violations: FieldViolation[] = [];
  walk(reflect(schema, message), "", violations);
  return violations;
}

function walk(message: ReflectMessage, prefix: string, violations: FieldViolation[]): void {
  for (const field of message.fields) {
    if (!message.isSet(field)) continue;
    const path = `${prefix}${field.name}`;
    const value: unknown = message.get(field);
    const check = (item: unknown, at: string) => {
      if (typeof item === "string" && CONTROL.test(item))
        violations.push({ field: at, description: "must not contain control characters" });
      else if (isReflectMessage(item)) walk(item, `${at}.`, violations);
    };
    if (isReflectList(value)) {
      let i = 0;
      for (const item of value) check(item, `${path}[${i++}]`);
    } else if (isReflectMap(value)) {
      for (const [key, item] of value) {
        check(key, `${path}[key]`);
        check(item, `${path}[${String(key)}]`);
      }
    } else {
      check(value, path);
    }
  }
}

/** Whether any string in a message, at any depth (map keys too), has a control character. */
function anyControl(value: unknown): boolean {
  if (typeof value === "string") return CONTROL.test(value);
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some(anyControl);
  for (const key in value) {
    if (CONTROL.test(key) || anyControl((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
