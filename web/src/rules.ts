import type { PasswordComplexitySettings } from "../../gen/zitadel/settings/v2/password_settings_pb.js";
import { compositionRules, type CompositionRule } from "../../src/domain/password-policy.js";
import { t, type MessageKey } from "./i18n.js";

interface Rule {
  key: MessageKey;
  values?: Record<string, number>;
  met: (password: string) => boolean;
}

const MESSAGES: Record<CompositionRule, MessageKey> = {
  minLength: "rules.minLength",
  uppercase: "rules.uppercase",
  lowercase: "rules.lowercase",
  number: "rules.number",
  symbol: "rules.symbol",
};

/** The server's own rules (domain/password-policy.ts) for the settings it announced, in the page's words. */
function rulesOf(settings: PasswordComplexitySettings): Rule[] {
  const minLength = Number(settings.minLength);
  const policy = {
    minLength,
    requireUppercase: settings.requiresUppercase,
    requireLowercase: settings.requiresLowercase,
    requireNumber: settings.requiresNumber,
    requireSymbol: settings.requiresSymbol,
  };
  return compositionRules(policy).map(({ rule, met }) => ({
    key: MESSAGES[rule],
    ...(rule === "minLength" && { values: { n: minLength } }),
    met,
  }));
}

/**
 * The password rules in force, as a checklist that follows what is typed into `input`. The
 * server decides; the list only helps (common passwords and personal data are checked there).
 */
export function showRules(list: HTMLUListElement, input: HTMLInputElement, settings: PasswordComplexitySettings): void {
  const rules = rulesOf(settings);
  const items = rules.map((rule) => {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = t(rule.key, rule.values);
    const state = document.createElement("span");
    state.className = "visually-hidden";
    item.append(text, state);
    list.append(item);
    return { rule, item, state };
  });
  const update = () => {
    for (const { rule, item, state } of items) {
      const met = rule.met(input.value);
      item.className = met ? "met" : "unmet";
      state.textContent = ` (${t(met ? "rules.met" : "rules.notMet")})`;
    }
  };
  input.addEventListener("input", update);
  update();
}
