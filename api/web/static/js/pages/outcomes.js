// Outcome figures (成效) of an alliance per month and per round: charts (Chart.js, served by the app), the same
// figures as tables (what a screen reader reads), and the Excel export for the branch's report.
import { api, download } from "../api.js";
import { fmtMoney, fmtNumber, fmtPct, pick, t } from "../i18n.js";
import { $, busy, clear, el, pageData, run, startPage, table } from "../ui.js";

const KEYS = ["worker_days_employed", "value_subcontracted", "value_cleared_planned", "extra_over_hand",
  "partner_pairs", "on_time_share", "average_rating"];

function cell(key, value) {
  if (value === null || value === undefined) return "—";
  if (key === "on_time_share") return fmtPct(value);
  if (key.startsWith("value") || key === "extra_over_hand") return fmtMoney(value);
  if (key === "average_rating") return fmtNumber(value, 2);
  if (key === "worker_days_employed") return fmtNumber(value, 1);
  return String(value);
}

function figuresTable(cls, rows) {
  return el("div", { class: "table-scroll" }, table([t("outcomes.period"), ...KEYS.map((k) => t(`outcomes.${k}`))],
    rows.map((r) => el("tr", { "data-period": r.period }, el("th", { scope: "row" }, pick(r.period)),
      KEYS.map((k) => el("td", { class: "num", "data-key": k }, cell(k, r[k]))))), { class: cls }));
}

function chart(id, label, config) {
  const canvas = el("canvas", { id, role: "img", "aria-label": label });
  const box = el("figure", { class: "chart" }, canvas, el("figcaption", {}, label));
  // Chart.js is a classic script (window.Chart); without it the tables still carry every figure.
  if (window.Chart) queueMicrotask(() => new window.Chart(canvas, config));
  return box;
}

function charts(data) {
  const months = data.months.map((m) => m.period);
  const rounds = data.rounds.map((r) => pick(r.period));
  return [
    chart("chart-months", t("outcomes.chart_months"), {
      type: "bar",
      data: { labels: months, datasets: [
        { label: t("outcomes.worker_days_employed"), data: data.months.map((m) => m.worker_days_employed), yAxisID: "y" },
        { label: t("outcomes.value_subcontracted"), data: data.months.map((m) => m.value_subcontracted), yAxisID: "y1" },
      ] },
      options: { animation: false, responsive: true, scales: { y: { beginAtZero: true, position: "left" },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } } },
    }),
    chart("chart-rounds", t("outcomes.chart_rounds"), {
      type: "line",
      data: { labels: rounds, datasets: [
        { label: t("outcomes.on_time_share"), data: data.rounds.map((r) => r.on_time_share), yAxisID: "y" },
        { label: t("outcomes.average_rating"), data: data.rounds.map((r) => r.average_rating), yAxisID: "y1" },
      ] },
      options: { animation: false, responsive: true, scales: { y: { min: 0, max: 1, position: "left" },
        y1: { min: 0, max: 5, position: "right", grid: { drawOnChartArea: false } } } },
    }),
  ];
}

run(async () => {
  await startPage();
  const root = $("#outcomes");
  const alliances = await api("/alliances");
  if (!alliances.length) {
    clear(root, el("p", { class: "muted" }, t("outcomes.none")));
    return;
  }
  const wanted = Number(pageData("alliance")) || alliances[0].id;
  const select = el("select", { id: "alliance-select", "aria-label": t("outcomes.alliance") },
    alliances.map((a) => el("option", { value: a.id, selected: a.id === wanted }, pick(a.name))));
  select.addEventListener("change", () => location.assign(`/outcomes?alliance=${select.value}`));
  clear($("#alliance-pick"), el("label", { for: "alliance-select" }, t("outcomes.alliance")), select);
  const data = await api(`/alliances/${wanted}/outcomes`);
  clear(root,
    el("div", { class: "actions" }, el("button", { type: "button", id: "export-outcomes",
      onclick: (event) => busy(event.target, () => download(`/alliances/${wanted}/outcomes/export`, `outcomes-${wanted}.xlsx`)) },
    t("outcomes.export"))),
    el("section", { class: "card charts" }, charts(data)),
    el("section", { class: "card" }, el("h2", {}, t("outcomes.per_month")), figuresTable("months", data.months)),
    el("section", { class: "card" }, el("h2", {}, t("outcomes.per_round")), figuresTable("rounds", data.rounds)),
    // A county: one total per park beside its own (docs/execution.md, "Outcome figures").
    data.alliances && data.alliances.length > 1
      ? el("section", { class: "card" }, el("h2", {}, t("outcomes.per_alliance")), figuresTable("alliances", data.alliances))
      : null);
});
