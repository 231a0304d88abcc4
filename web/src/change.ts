import { clients, failureOf, type Failure } from "./api.js";
import { byId, fieldError, focusFirstError, formStatus, onSubmit, show } from "./form.js";
import { t, translatePage } from "./i18n.js";
import { showRules } from "./rules.js";

translatePage();
const api = clients();
/** The session lives in this page's memory only: never a cookie, never storage. */
let session: { userId: string; sessionId: string; token: string } | null = null;

const signInForm = byId<HTMLFormElement>("sign-in-form");
const changeForm = byId<HTMLFormElement>("change-form");
const loginName = byId<HTMLInputElement>("login-name");
const password = byId<HTMLInputElement>("password");
const current = byId<HTMLInputElement>("current-password");
const next = byId<HTMLInputElement>("new-password");
const confirm = byId<HTMLInputElement>("confirm-password");

/** The messages every form shows the same way; true when it was one of them. */
function commonFailure(failure: Failure): boolean {
  if (failure.reason === "USER_LOCKED") formStatus("error.locked");
  else if (failure.reason === "RATE_LIMITED") formStatus("error.rateLimited");
  else if (failure.lostConnection) formStatus("error.connection");
  else return false;
  return true;
}

onSubmit(signInForm, async () => {
  formStatus(null);
  fieldError("login-name", loginName.value.trim() === "" ? t("error.required") : null);
  fieldError("password", password.value === "" ? t("error.required") : null);
  if (loginName.value.trim() === "" || password.value === "") return focusFirstError(signInForm);
  try {
    const created = await api.sessions.createSession({
      checks: { user: { search: { case: "loginName", value: loginName.value.trim() } }, password: { password: password.value } },
    });
    const { session: read } = await api.sessions.getSession({ sessionId: created.sessionId, sessionToken: created.sessionToken });
    session = { userId: read?.factors?.user?.id ?? "", sessionId: created.sessionId, token: created.sessionToken };
    password.value = "";
    byId("signed-in-as").textContent = t("change.signedInAs", { name: read?.factors?.user?.displayName ?? loginName.value.trim() });
    const { settings } = await api.settings.getPasswordComplexitySettings({});
    if (settings && byId("rules").childElementCount === 0) showRules(byId<HTMLUListElement>("rules"), next, settings);
    show("change");
    current.focus();
  } catch (error) {
    const failure = failureOf(error);
    if (commonFailure(failure)) return;
    if (failure.reason === "LOGIN_FAILED") {
      fieldError("password", t("error.loginFailed"));
      focusFirstError(signInForm);
    } else formStatus("error.unexpected");
  }
});

onSubmit(changeForm, async () => {
  formStatus(null);
  byId("changed").textContent = "";
  fieldError("current-password", current.value === "" ? t("error.required") : null);
  fieldError("new-password", next.value === "" ? t("error.required") : null);
  fieldError("confirm-password", confirm.value !== next.value ? t("error.mismatch") : null);
  if (current.value === "" || next.value === "" || confirm.value !== next.value) return focusFirstError(changeForm);
  try {
    // With this session's own token: the change keeps this session and ends every other.
    await api.users.setPassword(
      {
        userId: session!.userId,
        newPassword: { password: next.value, changeRequired: false },
        verification: { case: "currentPassword", value: current.value },
      },
      { headers: { authorization: `Bearer ${session!.token}` } },
    );
    for (const input of [current, next, confirm]) input.value = "";
    next.dispatchEvent(new Event("input"));
    byId("changed").textContent = t("change.done");
  } catch (error) {
    const failure = failureOf(error);
    if (commonFailure(failure)) return;
    if (failure.reason === "PASSWORD_INVALID" || failure.reason === "LOGIN_FAILED") fieldError("current-password", t("error.currentWrong"));
    else if (failure.violations.length > 0) fieldError("new-password", failure.violations.map((v) => v.description).join(" "));
    else return formStatus("error.unexpected");
    focusFirstError(changeForm);
  }
});

byId("sign-out").addEventListener("click", async () => {
  formStatus(null);
  try {
    if (session !== null) {
      await api.sessions.deleteSession({ sessionId: session.sessionId, sessionToken: session.token });
    }
    session = null;
    show("signed-out");
    byId("signed-out").focus();
  } catch (error) {
    if (!commonFailure(failureOf(error))) formStatus("error.unexpected");
  }
});
