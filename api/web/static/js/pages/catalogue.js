// The admin's catalogue: the Chinese and English names of skills, processes and machines, edited in place.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { $, busy, clear, el, flash, localError, run, showFormError, startPage, table } from "../ui.js";

const KINDS = ["skill", "process", "machine"];

async function save(kind, code, nameZh, nameEn, form) {
  const problems = [];
  if (!code) problems.push([["code"], t("error.required")]);
  if (!nameZh) problems.push([["name_zh"], t("error.required")]);
  if (!nameEn) problems.push([["name_en"], t("error.required")]);
  if (problems.length) return showFormError(form, localError(problems));
  try {
    await api(`/catalogue/${kind}/${encodeURIComponent(code)}`, { method: "PUT", json: { name_zh: nameZh, name_en: nameEn } });
    flash(t("catalogue.saved", { name: nameZh }));
    await load();
  } catch (error) {
    showFormError(form, error);
  }
}

function row(entry) {
  const form = el("form", { class: "inline-form", novalidate: true });
  const zh = el("input", { value: entry.name_zh, "data-loc": "name_zh", "aria-label": `${t("catalogue.name_zh")} ${entry.code}` });
  const en = el("input", { value: entry.name_en, lang: "en", "data-loc": "name_en", "aria-label": `${t("catalogue.name_en")} ${entry.code}` });
  const submit = el("button", { type: "submit" }, t("catalogue.save"));
  form.append(el("div", { class: "form-error", role: "alert" }), zh, en, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(submit, () => save(entry.kind, entry.code, zh.value.trim(), en.value.trim(), form));
  });
  const reset = entry.edited ? el("button", { type: "button", class: "link-button", onclick: async () => {
    await api(`/catalogue/${entry.kind}/${encodeURIComponent(entry.code)}`, { method: "DELETE" });
    flash(t("catalogue.reset_done"));
    await load();
  } }, t("catalogue.reset")) : el("span", { class: "muted" }, t("catalogue.seed"));
  return el("tr", {}, el("td", {}, el("code", { lang: "en" }, entry.code)), el("td", {}, form), el("td", {}, reset));
}

async function load() {
  const entries = await api("/catalogue");
  clear($("#catalogue"), KINDS.map((kind) => {
    const rows = entries.filter((e) => e.kind === kind);
    return el("section", {}, el("h2", {}, t(`catalogue.kind_${kind}`)),
      rows.length ? el("div", { class: "table-wrap" }, table([t("catalogue.code"), t("catalogue.names"), ""], rows.map(row)))
        : el("p", { class: "muted" }, t("catalogue.none")));
  }));
}

run(async () => {
  const account = await startPage();
  if (account.role !== "admin") {
    clear($("#catalogue"), el("p", { class: "notice" }, t("catalogue.only_admin")));
    $("#catalogue-add").hidden = true;
    return;
  }
  await load();
  const form = $("#catalogue-add");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button[type=submit]"), () => save(form.kind.value, form.code.value.trim(),
      form.name_zh.value.trim(), form.name_en.value.trim(), form));
  });
});
