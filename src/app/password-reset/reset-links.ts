import { deriveCode } from "../../crypto/codes.js";
import type { Keys } from "../../crypto/keys.js";
import { invalidArgument } from "../../domain/errors.js";
import { linkOrigin, urlTemplateViolations } from "../../domain/url-template.js";
import type { AppContext } from "../shared/context.js";

/**
 * A link template must give an http(s) link on an origin the operator allows: a reset link
 * pointing anywhere else would hand the code to whoever runs that site.
 */
export function checkLinkTemplate(app: Pick<AppContext, "settings">, urlTemplate: string): void {
  const violations = urlTemplateViolations(urlTemplate, "urlTemplate");
  if (violations.length > 0) throw invalidArgument(violations);
  const origin = linkOrigin(urlTemplate);
  const allowed = [...app.settings.resetUrlOrigins, linkOrigin(app.settings.resetUrlTemplate)];
  if (origin === null || !allowed.includes(origin)) {
    throw invalidArgument([{ field: "urlTemplate", description: "must point at an origin allowed by LATCHKEY_RESET_URL_ORIGINS" }]);
  }
}

/** The code a reset link carries: computed from the server secret and the link's id. */
export function resetLinkCode(keys: Keys, userId: string, linkId: string): string {
  return deriveCode(keys.resetLinks, "password-reset-link", userId, linkId);
}

/** The code a queued reset message carries (`linkId` in its payload; earlier rows used their message id). */
export function resetMessageCode(keys: Keys, message: { userId: string; messageId: string; payload: Record<string, string> }): string {
  return resetLinkCode(keys, message.userId, message.payload.linkId ?? message.messageId);
}
