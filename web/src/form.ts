import { t, type MessageKey } from "./i18n.js";

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Shows an error at its field (tied by aria-describedby, announced by aria-live), or clears it. */
export function fieldError(fieldId: string, message: string | null): void {
  const input = byId<HTMLInputElement>(fieldId);
  const error = byId(`${fieldId}-error`);
  error.textContent = message ?? "";
  input.setAttribute("aria-invalid", message === null ? "false" : "true");
}

/** Moves focus to the first field that shows an error. */
export function focusFirstError(form: HTMLFormElement): void {
  form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
}

/** A message for the whole form, announced. */
export function formStatus(key: MessageKey | null, kind: "error" | "info" = "error"): void {
  const status = byId("status");
  status.textContent = key === null ? "" : t(key);
  status.className = key === null ? "" : kind;
}

/** Shows exactly one of the page's sections. */
export function show(sectionId: string): void {
  for (const section of document.querySelectorAll<HTMLElement>("main > section")) section.hidden = section.id !== sectionId;
}

/**
 * Runs a submit handler with the button disabled, so a double click sends once. The page ships
 * the button disabled and its fields without names: nothing can be submitted natively (into the
 * address, the history and proxy logs) before this handler is attached.
 */
export function onSubmit(form: HTMLFormElement, handler: () => Promise<void>): void {
  const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    button.disabled = true;
    handler().finally(() => (button.disabled = false));
  });
  button.disabled = false;
}
