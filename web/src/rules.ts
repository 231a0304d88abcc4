import type { PasswordComplexitySettings } from "../../gen/zitadel/settings/v2/password_settings_pb.js";
import { t, type MessageKey } from "./i18n.js";

interface Rule {
  key: MessageKey;
  values?: Record<string, number>;
  met: (password: string) => boolean;
}

function rulesOf(settings: PasswordComplexitySettings): Rule[] {
  const rules: Rule[] = [];
  const minLength = Number(settings.minLength);
  if (minLength > 0) rules.push({ key: "rules.minLength", values: { n: minLength }, met: (p) => [...p].length >= minLength });
  if (settings.requiresUppercase) rules.push({ key: "rules.uppercase", met: (p) => /\p{Lu}/u.test(p) });
  if (settings.requiresLowercase) rules.push({ key: "rules.lowercase", met: (p) => /\p{Ll}/u.test(p) });
  if (settings.requiresNumber) rules.push({ key: "rules.number", met: (p) => /\p{N}/u.test(p) });
  if (settings.requiresSymbol) rules.push({ key: "rules.symbol", met: (p) => /[^\p{L}\p{N}\s]/u.test(p) });
  return rules;
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
