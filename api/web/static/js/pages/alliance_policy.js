// The coordinator sets the alliance's default planning rules; every new round starts from them.
// An empty box means the model's default (shown as the placeholder).
import { api } from "../api.js";
import { t } from "../i18n.js";
import { $, $$, busy, clearErrors, flash, localError, run, showFormError, startPage } from "../ui.js";

function parseNumber(text, integer) {
  const clean = String(text).trim().replace(/[,，]/g, "");
  if (clean === "" || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(clean)) return Number.NaN;
  const value = Number(clean);
  return integer && !Number.isInteger(value) ? Number.NaN : value;
}

function showSource(input) {
  const own = input.value.trim() !== "";
  const box = $(`#policy-${input.name}-source`);
  box.textContent = own ? t("lifecycle.source_alliance") : t("lifecycle.source_model_value", { value: input.dataset.default });
  box.dataset.source = own ? "alliance" : "model";
}

function fill(form, current) {
  for (const input of $$("input.policy-value", form)) {
    input.value = input.name in current.set ? String(current.set[input.name]) : "";
    showSource(input);
  }
}

run(async () => {
  const account = await startPage();
  if (account.role !== "coordinator" || !account.alliance_id) {
    $("#page-error").textContent = t("lifecycle.policy_only_coordinator");
    return;
  }
  const form = $("#policy-form");
  const url = `/alliances/${account.alliance_id}/policy`;
  fill(form, await api(url));
  for (const input of $$("input.policy-value", form)) input.addEventListener("input", () => showSource(input));
  $("#model-defaults").addEventListener("click", () => {
    for (const input of $$("input.policy-value", form)) {
      input.value = "";
      showSource(input);
    }
  });
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {};
    const problems = [];
    for (const input of $$("input.policy-value", form)) {
      if (input.value.trim() === "") continue;
      const integer = input.dataset.integer === "1";
      const value = parseNumber(input.value, integer);
      if (input.name === "workday_minutes" ? !(value > 0 && value <= 1440) : !(value >= 0)) {
        problems.push([[input.name], t(input.name === "workday_minutes" ? "round_new.minutes_invalid"
          : integer ? "round_new.integer_invalid" : "round_new.number_invalid")]);
      }
      body[input.name] = value;
    }
    if (problems.length) {
      showFormError(form, localError(problems));
      return;
    }
    await busy($("#save-policy"), async () => {
      try {
        fill(form, await api(url, { method: "PUT", json: body }));
        flash(t("lifecycle.policy_saved"));
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
});
