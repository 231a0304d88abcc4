import de from "../messages/de.json";
import en from "../messages/en.json";

export type MessageKey = keyof typeof en;
const CATALOGS: Record<string, Record<MessageKey, string>> = { en, de };

/** The first of the browser's languages we have messages for; English otherwise. */
export const language: string = navigator.languages.map((tag) => tag.toLowerCase().split("-")[0]!).find((tag) => tag in CATALOGS) ?? "en";
const catalog = CATALOGS[language]!;

/** The operator's product name (LATCHKEY_UI_PRODUCT_NAME), which the server puts in a meta tag. */
const productName = document.querySelector<HTMLMetaElement>('meta[name="product-name"]')?.content;

/** A message, with `{name}` placeholders filled in (as text: never markup). */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  if (key === "product" && productName) return productName;
  return (catalog[key] ?? en[key]).replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole));
}

/** Fills every element marked `data-i18n` with its message, and the page's language. */
export function translatePage(): void {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll<HTMLElement>("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n as MessageKey);
  }
}
