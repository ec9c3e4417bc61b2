// The admin builds the alliance tree: each alliance's parent (the county chain alliance above park branches).
import { api } from "../api.js";
import { pick, t } from "../i18n.js";
import { $, busy, clear, el, flash, run, showFormError, startPage, table } from "../ui.js";

function parentForm(alliance, alliances, reload) {
  const id = `parent-${alliance.id}`;
  const form = el("form", { class: "parent", novalidate: true, "data-alliance": alliance.id },
    el("label", { for: id, class: "visually-hidden" }, t("county_tree.parent")),
    el("select", { id, name: "parent_id", "data-loc": "parent_id" },
      el("option", { value: "" }, t("county_tree.root")),
      alliances.filter((a) => a.id !== alliance.id).map((a) => el("option", { value: a.id, selected: a.id === alliance.parent_id }, `${a.code} ${pick(a.name)}`))),
    " ", el("button", { type: "submit" }, t("county_tree.save")),
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(event.submitter || form, async () => {
      try {
        const value = form.parent_id.value;
        await api(`/county/alliances/${alliance.id}/parent`, { method: "PUT", json: { parent_id: value ? Number(value) : null } });
        flash(t("county_tree.saved_flash", { code: alliance.code }));
        await reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

function depth(alliance, byId) {
  let n = 0;
  for (let a = alliance; a.parent_id && byId.has(a.parent_id) && n < byId.size; a = byId.get(a.parent_id)) n += 1;
  return n;
}

run(async () => {
  await startPage();
  const root = $("#county_tree");
  const reload = async () => {
    const alliances = await api("/alliances");
    const byId = new Map(alliances.map((a) => [a.id, a]));
    clear(root, el("div", { class: "table-scroll" }, table(
      [t("county_tree.alliance"), t("county_tree.level"), t("county_tree.parent")],
      alliances.map((a) => el("tr", { "data-alliance": a.id },
        el("th", { scope: "row" }, `${a.code} ${pick(a.name)}`),
        el("td", { class: "num" }, String(depth(a, byId) + 1)),
        el("td", {}, parentForm(a, alliances, reload)))))));
  };
  await reload();
});
