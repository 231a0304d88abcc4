import type { FieldViolation } from "./errors.js";

interface LinkValues {
  userId: string;
  code: string;
  orgId: string;
}

const PLACEHOLDERS: Record<string, keyof LinkValues> = { "{{.UserID}}": "userId", "{{.Code}}": "code", "{{.OrgID}}": "orgId" };

/** Fills ZITADEL-style placeholders; values are URL-encoded so they cannot change the link's shape. */
export function renderLink(template: string, values: LinkValues): string {
  return template.replace(/\{\{\.(UserID|Code|OrgID)\}\}/g, (placeholder) => encodeURIComponent(values[PLACEHOLDERS[placeholder]!]));
}

// Stand-ins that every URL parser leaves as they are, wherever the placeholders stand.
const SAMPLE: LinkValues = { userId: "1", code: "2", orgId: "3" };

/** The template's link as the WHATWG parser reads it, or null if that is not an http(s) URL. */
function sampleLink(template: string): { url: URL; text: string } | null {
  const text = renderLink(template, SAMPLE);
  try {
    const url = new URL(text);
    return url.protocol === "https:" || url.protocol === "http:" ? { url, text } : null;
  } catch {
    return null;
  }
}

/** The origin a template's links go to, or null if it does not give an http(s) link. */
export function linkOrigin(template: string): string | null {
  return sampleLink(template)?.url.origin ?? null;
}

/**
 * A template must give an absolute http(s) link once filled in, written exactly as the WHATWG
 * parser writes it back. Text that parsers read differently (a backslash before an @, tabs,
 * stray spaces, odd percent-encoding) is refused: otherwise the origin we check could differ from
 * the one a mail client or browser opens, which would then receive the code.
 */
export function urlTemplateViolations(template: string, field: string): FieldViolation[] {
  if (template.length > 2000) return [{ field, description: "must be at most 2000 characters long" }];
  const link = sampleLink(template);
  if (link === null) return [{ field, description: "must be an absolute http or https URL" }];
  if (link.url.href !== link.text) {
    return [
      { field, description: "must be written as a plain URL exactly as browsers write it back (for example with a slash after the host)" },
    ];
  }
  return [];
}
