import type { FieldViolation } from "./errors.js";

export interface LinkValues {
  userId: string;
  code: string;
  orgId: string;
}

const PLACEHOLDERS: Record<string, keyof LinkValues> = { "{{.UserID}}": "userId", "{{.Code}}": "code", "{{.OrgID}}": "orgId" };

/** Fills ZITADEL-style placeholders; values are URL-encoded so they cannot change the link's shape. */
export function renderLink(template: string, values: LinkValues): string {
  return template.replace(/\{\{\.(UserID|Code|OrgID)\}\}/g, (placeholder) => encodeURIComponent(values[PLACEHOLDERS[placeholder]!]));
}

/** The origin a template's links go to, or null if it does not give an http(s) link. */
export function linkOrigin(template: string): string | null {
  try {
    const url = new URL(renderLink(template, { userId: "1", code: "C", orgId: "1" }));
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** A template must give an absolute http(s) link once filled in. */
export function urlTemplateViolations(template: string, field: string): FieldViolation[] {
  if (template.length > 2000) return [{ field, description: "must be at most 2000 characters long" }];
  let url: URL;
  try {
    url = new URL(renderLink(template, { userId: "1", code: "C", orgId: "1" }));
  } catch {
    return [{ field, description: "must be an absolute http or https URL" }];
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return [{ field, description: "must be an absolute http or https URL" }];
  return [];
}
