import { ScalarType, type DescField, type DescMessage, type JsonObject, type JsonValue } from "@bufbuild/protobuf";

/** A request a REST path cannot be made into: answered InvalidArgument. */
export class BadRestRequest extends Error {}

/**
 * The request message, as protobuf JSON, that a REST call stands for (grpc-gateway's rules): the
 * body fills the whole request ("*") or one field, path variables fill their fields, and with no
 * whole-request body, query parameters fill (nested) fields by proto or JSON name. Parameters
 * naming no field are ignored, as unknown JSON fields are.
 */
export function requestJson(
  schema: DescMessage,
  bodyField: string,
  body: JsonValue | undefined,
  path: ReadonlyMap<string, string>,
  query: URLSearchParams,
): JsonObject {
  let json: JsonObject = {};
  if (bodyField === "*") {
    if (body !== undefined && (body === null || typeof body !== "object" || Array.isArray(body))) {
      throw new BadRestRequest("the request body must be a JSON object");
    }
    json = body ?? {};
  } else if (bodyField !== "" && body !== undefined) {
    const field = fieldNamed(schema, bodyField);
    if (field !== undefined) json[field.jsonName] = body;
  }
  for (const [name, value] of path) assign(schema, json, name.split("."), value, false);
  if (bodyField !== "*") {
    // A query parameter never rebinds a field the path bound, under either of its names.
    const bound = [...path.keys()].map((name) => protoPath(schema, name));
    for (const [name, value] of query) {
      const target = protoPath(schema, name);
      if (!bound.some((b) => b === target || target.startsWith(`${b}.`) || b.startsWith(`${target}.`))) {
        assign(schema, json, name.split("."), value, true);
      }
    }
  }
  return json;
}

/** A dotted field path with every name as the proto spells it (`userId` → `user_id`). */
function protoPath(schema: DescMessage, dotted: string): string {
  let message: DescMessage | undefined = schema;
  return dotted
    .split(".")
    .map((name) => {
      const field = message === undefined ? undefined : fieldNamed(message, name);
      message = field?.fieldKind === "message" ? field.message : undefined;
      return field?.name ?? name;
    })
    .join(".");
}

function assign(schema: DescMessage, json: JsonObject, names: string[], value: string, fromQuery: boolean): void {
  let message = schema;
  let target = json;
  for (const [i, name] of names.entries()) {
    const field = fieldNamed(message, name);
    if (field === undefined) return;
    if (i < names.length - 1) {
      if (field.fieldKind !== "message") return;
      const inner = target[field.jsonName];
      target = target[field.jsonName] = inner !== null && typeof inner === "object" && !Array.isArray(inner) ? inner : {};
      message = field.message;
      continue;
    }
    const converted = scalarFromText(field, value);
    // A path variable wins over the body's value, under either of the field's names.
    if (field.name !== field.jsonName) delete target[field.name];
    if (fromQuery && field.fieldKind === "list") {
      const list = target[field.jsonName];
      target[field.jsonName] = Array.isArray(list) ? [...list, converted] : [converted];
    } else {
      target[field.jsonName] = converted;
    }
  }
}

function fieldNamed(message: DescMessage, name: string): DescField | undefined {
  return message.fields.find((f) => f.name === name || f.jsonName === name);
}

/** Text from a path or query string as the JSON value protobuf JSON takes for the field. */
function scalarFromText(field: DescField, text: string): JsonValue {
  const scalar = field.fieldKind === "scalar" ? field.scalar : field.fieldKind === "list" ? field.scalar : undefined;
  if (scalar === ScalarType.BOOL) {
    if (text === "true" || text === "1") return true;
    if (text === "false" || text === "0") return false;
    throw new BadRestRequest(`${field.name} must be true or false`);
  }
  const isEnum = field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum");
  if (isEnum && /^-?\d+$/.test(text)) return Number(text);
  return text; // numbers as strings, as protobuf JSON accepts them; strings, enums by name, timestamps
}
