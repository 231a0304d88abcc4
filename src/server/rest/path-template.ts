/**
 * google.api.http path templates (`/v2/users/{user_id}/password`, `{name=projects/*}`, `**`),
 * compiled once and matched against a request's path. A variable binds the segments it spans to
 * a (possibly nested) request field.
 */
type Segment = { literal: string } | { variable: string[]; spans: "one" | "rest" };

export interface PathTemplate {
  segments: Segment[];
  /** A custom verb after ":" in the last segment, as in `/v1/things:undo`. */
  verb: string | null;
}

export function parsePathTemplate(template: string): PathTemplate {
  if (!template.startsWith("/")) throw new Error(`a path template starts with "/": ${template}`);
  const colon = template.lastIndexOf(":");
  const verb = colon > template.lastIndexOf("}") && colon > template.lastIndexOf("/") ? template.slice(colon + 1) : null;
  const path = verb === null ? template : template.slice(0, colon);
  const segments: Segment[] = [];
  for (const part of splitOutsideBraces(path.slice(1))) {
    const variable = /^\{([\w.]+)(?:=(.+))?\}$/.exec(part);
    if (variable === null) {
      if (part === "*") segments.push({ variable: [], spans: "one" });
      else if (part === "**") segments.push({ variable: [], spans: "rest" });
      else segments.push({ literal: part });
      continue;
    }
    const pattern = variable[2] ?? "*";
    if (pattern !== "*" && pattern !== "**") throw new Error(`variable patterns other than * and ** are not supported: ${template}`);
    segments.push({ variable: variable[1]!.split("."), spans: pattern === "**" ? "rest" : "one" });
  }
  return { segments, verb };
}

/** The fields a path binds (by field path, dot-joined), or null when it does not match. */
export function matchPath(template: PathTemplate, pathname: string): Map<string, string> | null {
  let path = pathname;
  if (template.verb !== null) {
    if (!path.endsWith(`:${template.verb}`)) return null;
    path = path.slice(0, -(template.verb.length + 1));
  }
  if (!path.startsWith("/")) return null;
  const parts = path.slice(1).split("/");
  const bound = new Map<string, string>();
  let i = 0;
  for (const segment of template.segments) {
    if ("literal" in segment) {
      if (parts[i] !== segment.literal) return null;
      i++;
      continue;
    }
    const taken = segment.spans === "rest" ? parts.slice(i) : parts.slice(i, i + 1);
    if (taken.length === 0 || taken.some((p) => p === "")) return null;
    i += taken.length;
    if (segment.variable.length === 0) continue;
    let value: string;
    try {
      value = taken.map((p) => decodeURIComponent(p)).join("/");
    } catch {
      return null;
    }
    bound.set(segment.variable.join("."), value);
  }
  return i === parts.length ? bound : null;
}

function splitOutsideBraces(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const c of path) {
    if (c === "{") depth++;
    if (c === "}") depth--;
    if (c === "/" && depth === 0) {
      parts.push(current);
      current = "";
    } else current += c;
  }
  parts.push(current);
  return parts;
}
