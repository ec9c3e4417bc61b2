import { me, signIn, signOut, token } from "../api.js";
import { t } from "../i18n.js";
import { $, busy, clearErrors, localError, run, showFormError } from "../ui.js";

function nextPage() {
  const next = new URLSearchParams(location.search).get("next");
  // Only a path on this site: never an open redirect.
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login") ? next : "/home";
}

run(async () => {
  const form = $("#login-form");
  if (token()) {
    try {
      await me();
      location.replace(nextPage());
      return;
    } catch {
      signOut();
    }
  }
  $("#username").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const username = form.username.value.trim();
    const password = form.password.value;
    const missing = [];
    if (!username) missing.push([["username"], t("login.username_required")]);
    if (!password) missing.push([["password"], t("login.password_required")]);
    if (missing.length) {
      showFormError(form, localError(missing));
      return;
    }
    await busy(form.querySelector("button[type=submit]"), async () => {
      try {
        await signIn(username, password);
        location.assign(nextPage());
      } catch (error) {
        signOut();
        if (error.status === 401) $("#form-error").textContent = t("login.failed");
        else showFormError(form, error);
        form.password.select();
      }
    });
  });
});
