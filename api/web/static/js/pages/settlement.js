// Settlement from actuals: per firm, per pair (with the printable A4 sheet), the lines; Excel; the close.
import { api, download } from "../api.js";
import { fmtDateTime, fmtMoney, t } from "../i18n.js";
import { pickRound } from "../afterplan.js";
import { $, badge, busy, clear, el, flash, run, startPage, table } from "../ui.js";

const money = (v) => el("td", { class: "num" }, fmtMoney(v));

async function openSheet(roundId, pair) {
  // The sheet is served behind the token: fetch it, then show it in a tab of its own to print.
  const response = await api(`/rounds/${roundId}/settlement/sheet?a=${pair.a_id}&b=${pair.b_id}`, { raw: true });
  const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
  window.open(url, "_blank");
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function view(account, roundId, s, reload) {
  const firms = table([t("settlement.enterprise"), t("settlement.receivable"), t("settlement.payable"), t("settlement.net")],
    s.firms.map((f) => el("tr", { "data-enterprise": f.enterprise_id }, el("td", {}, f.enterprise), money(f.receivable),
      money(f.payable), money(f.net))), { class: "firms" });
  const pairs = table([t("settlement.pair"), t("settlement.net"), ""], s.pairs.map((p) => {
    const payer = p.a_pays_b >= 0 ? p.a : p.b;
    const payee = p.a_pays_b >= 0 ? p.b : p.a;
    return el("tr", { "data-pair": `${p.a_id}-${p.b_id}` }, el("td", {}, `${p.a} / ${p.b}`),
      el("td", {}, t("settlement.pair_net", { payer, payee, amount: fmtMoney(Math.abs(p.a_pays_b)) })),
      el("td", {}, el("button", { type: "button", class: "sheet", onclick: () => openSheet(roundId, p) },
        t("settlement.sheet"))));
  }), { class: "pairs" });
  const lines = table([t("settlement.item"), t("settlement.payer"), t("settlement.payee"), t("settlement.state"),
    t("execution.planned"), t("execution.actual"), t("settlement.base"), t("settlement.travel"), t("settlement.amount")],
  s.lines.map((ln) => el("tr", { "data-key": ln.key }, el("td", {}, ln.key), el("td", {}, ln.payer), el("td", {}, ln.payee),
    el("td", {}, badge("exec", ln.state)), el("td", { class: "num" }, ln.planned), el("td", { class: "num" }, ln.actual),
    money(ln.base), money(ln.travel), money(ln.amount))), { class: "lines" });
  const exportButton = el("button", { type: "button", onclick: (event) => busy(event.target, () =>
    download(`/rounds/${roundId}/settlement/export`, `settlement-round-${roundId}.xlsx`)) }, t("settlement.export"));
  const closeButton = account.role === "coordinator" && !s.closed ? el("button", { type: "button", class: "danger",
    id: "close-settlement", onclick: async (event) => {
      if (!window.confirm(t("settlement.close_confirm"))) return;
      await busy(event.target, async () => {
        try {
          await api(`/rounds/${roundId}/settlement/close`, { method: "POST" });
          flash(t("settlement.closed_flash"));
          await reload();
        } catch (error) {
          flash(error.problem ? `${error.problem.detail}` : String(error), "error");
        }
      });
    } }, t("settlement.close")) : null;
  return [
    el("p", { id: "settlement-status" }, s.closed ? el("span", { class: "badge ok" }, t("settlement.closed", { at: fmtDateTime(s.closed_at) }))
      : el("span", { class: "badge warn" }, t("settlement.open"))),
    el("div", { class: "actions" }, exportButton, closeButton),
    s.lines.length ? null : el("p", { class: "muted" }, t("settlement.empty")),
    el("section", { class: "card" }, el("h2", {}, t("settlement.firms")), firms),
    el("section", { class: "card" }, el("h2", {}, t("settlement.pairs")), pairs),
    el("section", { class: "card" }, el("h2", {}, t("settlement.lines")), el("div", { class: "table-scroll" }, lines)),
  ];
}

run(async () => {
  const account = await startPage();
  const root = $("#settlement");
  const chosen = await pickRound($("#round-pick"), "/settlement");
  if (!chosen) {
    clear(root, el("p", { class: "muted" }, t("settlement.empty")));
    return;
  }
  const roundId = chosen.round.id;
  const reload = async () => clear(root, view(account, roundId, await api(`/rounds/${roundId}/settlement`), reload));
  await reload();
});
