import { timestampDate } from "@bufbuild/protobuf/wkt";
import { ResetRequestState } from "../../gen/latchkey/password/v1/password_service_pb.js";
import { clients, failureOf } from "./api.js";
import { byId, fieldError, focusFirstError, formStatus, onSubmit, show } from "./form.js";
import { t, translatePage } from "./i18n.js";
import { showRules } from "./rules.js";

translatePage();
const api = clients();
const params = new URLSearchParams(location.search);
const userId = params.get("userID") ?? "";
const code = params.get("code") ?? "";
// The code leaves the address bar at once. The browser's history database and any proxy on the
// way keep the link as it was opened: its code stays valid until used, replaced or expired.
history.replaceState(null, "", location.pathname);

const form = byId<HTMLFormElement>("reset-form");
const password = byId<HTMLInputElement>("new-password");
const confirm = byId<HTMLInputElement>("confirm-password");

async function start(): Promise<void> {
  if (userId === "" || code === "") return show("invalid");
  try {
    const request = await api.passwords.getPasswordResetRequest({ userId, verificationCode: code });
    if (request.state === ResetRequestState.EXPIRED) return show("expired");
    if (request.state !== ResetRequestState.VALID) return show("invalid");
    byId("greeting").textContent = t("reset.greeting", { name: request.displayName, login: request.maskedLoginName });
    const { settings } = await api.settings.getPasswordComplexitySettings({});
    if (settings) showRules(byId<HTMLUListElement>("rules"), password, settings);
    if (request.expiresAt) form.dataset.expiresAt = timestampDate(request.expiresAt).toISOString();
    show("choose");
    password.focus();
  } catch (error) {
    show("choose");
    formStatus(failureOf(error).lostConnection ? "error.connection" : "error.unexpected");
  }
}

onSubmit(form, async () => {
  formStatus(null);
  fieldError("new-password", password.value === "" ? t("error.required") : null);
  fieldError("confirm-password", confirm.value !== password.value ? t("error.mismatch") : null);
  if (password.value === "" || confirm.value !== password.value) return focusFirstError(form);
  try {
    await api.users.setPassword({
      userId,
      newPassword: { password: password.value, changeRequired: false },
      verification: { case: "verificationCode", value: code },
    });
    show("done");
    byId("done").focus();
  } catch (error) {
    const failure = failureOf(error);
    if (failure.reason === "CODE_EXPIRED") show("expired");
    else if (failure.reason === "CODE_INVALID") show("invalid");
    else if (failure.reason === "RATE_LIMITED") formStatus("error.rateLimited");
    else if (failure.reason === "USER_LOCKED") formStatus("error.locked");
    else if (failure.violations.length > 0) {
      fieldError("new-password", failure.violations.map((v) => v.description).join(" "));
      focusFirstError(form);
    } else formStatus(failure.lostConnection ? "error.connection" : "error.unexpected");
  }
});

void start();
