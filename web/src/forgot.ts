import { clients, failureOf } from "./api.js";
import { byId, fieldError, focusFirstError, formStatus, onSubmit, show } from "./form.js";
import { t, translatePage } from "./i18n.js";

translatePage();
const api = clients();
const form = byId<HTMLFormElement>("forgot-form");
const loginName = byId<HTMLInputElement>("login-name");

onSubmit(form, async () => {
  formStatus(null);
  fieldError("login-name", loginName.value.trim() === "" ? t("error.required") : null);
  if (loginName.value.trim() === "") return focusFirstError(form);
  try {
    await api.passwords.requestPasswordReset({ loginName: loginName.value.trim() });
    // The same answer whether or not the account exists: the server tells us nothing else either.
    show("sent");
    byId("sent").focus();
  } catch (error) {
    const failure = failureOf(error);
    if (failure.reason === "RATE_LIMITED") formStatus("error.rateLimited");
    else if (failure.lostConnection) formStatus("error.connection");
    else if (failure.violations.length > 0) {
      fieldError("login-name", failure.violations[0]!.description);
      focusFirstError(form);
    } else formStatus("error.unexpected");
  }
});
