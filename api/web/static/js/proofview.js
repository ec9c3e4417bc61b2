// Proof in plain words (issue 11, item 6): the gap as money ("最多还可能多 ¥X（Y%）") with one line saying what it
// means, and the comparison with matching by hand as a small table.
import { fmtMoney, fmtNumber, fmtPct, t } from "./i18n.js";
import { el, table } from "./ui.js";

/** "最多还可能多 ¥X（Y%）" and its explanation, or null when the plan has no bound. */
export function proofLines(plan) {
  if (plan.bound === null || plan.bound === undefined || plan.objective === null || plan.objective === undefined) return null;
  const more = Math.max(0, plan.bound - plan.objective);
  const head = more < 0.005
    ? t("proof.best", {})
    : t("proof.at_most_more", { money: fmtMoney(more), pct: fmtPct(plan.gap || 0, 2) });
  return el("div", { id: "proof", class: "proof" },
    el("p", { class: "proof-head" }, el("strong", {}, head)),
    el("p", { class: "hint" }, t("proof.explain", { bound: fmtMoney(plan.bound) })));
}

/** Value cleared, worker-days and pairs: matching by hand against this plan. */
export function manualTable(report) {
  const m = report && report.manual_baseline;
  const after = report && report.figures && report.figures.after;
  if (!m || !after) return null;
  const row = (label, manual, planned, fmt) => el("tr", {},
    el("th", { scope: "row" }, label),
    el("td", { class: "num" }, fmt(manual)),
    el("td", { class: "num" }, fmt(planned)),
    el("td", { class: "num" }, `${planned - manual >= 0 ? "+" : "−"}${fmt(Math.abs(planned - manual))}`));
  const money = (v) => fmtMoney(v);
  const count = (v) => fmtNumber(v);
  const days = (v) => fmtNumber(v, 1);
  const rows = [
    row(t("proof.value_cleared"), m.value_cleared, after.value_cleared, money),
    row(t("proof.worker_days"), m.idle_worker_days_used, after.idle_worker_days_used, days),
    row(t("proof.lent_days"), m.worker_days_lent, after.worker_days_lent, count),
    row(t("proof.pairs"), m.linked_pairs, after.linked_pairs, count),
    row(t("proof.objective"), m.objective, m.objective + m.objective_improvement, money),
  ];
  return el("div", { id: "manual-compare" },
    el("h3", {}, t("proof.manual_title")),
    el("p", { class: "hint" }, t("proof.manual_hint")),
    el("div", { class: "table-scroll" }, table([t("figures.item"), t("proof.by_hand"), t("proof.this_plan"), t("proof.difference")], rows, { class: "manual-table" })));
}
