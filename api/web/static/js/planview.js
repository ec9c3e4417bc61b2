// The plan as the coordinator and the guide see it: key figures, the map, the day-by-day table, unmet orders,
// rule checks and settlement.  Used by the plan page (a job's plan) and the proposal page.
import { dayDate, dayLabel, fmtMoney, fmtNumber, fmtPct, lang, pick, t, term, weekday } from "./i18n.js";
import { beforeAfter, detailOf } from "./changesview.js";
import { flowMap, legend } from "./map.js";
import { manualTable, proofLines } from "./proofview.js";
import { badge, clear, el, table } from "./ui.js";

const RULES = [1, 2, 3, 4, 5, 6, 7, 8, 9];

export const subcontractKey = (order, site) => `subcontract:${order}:${site}`;
export const loanKey = (skill, lender, borrower) => `loan:${skill}:${lender}:${borrower}`;

/** Sub-contracts and loans grouped from the plan's rows (the canonical part; the report may be absent). */
export function groupMoves(plan, snapshot) {
  const owners = new Map(snapshot.orders.map((o) => [o.id, o.owner]));
  const subs = new Map();
  const own = new Map();
  for (const row of plan.production) {
    const owner = owners.get(row.order);
    const target = row.site === owner ? own : subs;
    const key = row.site === owner ? `own:${row.order}` : subcontractKey(row.order, row.site);
    if (!target.has(key)) target.set(key, { key, order: row.order, owner, site: row.site, days: new Map(), total: 0 });
    const group = target.get(key);
    group.days.set(row.day, (group.days.get(row.day) || 0) + row.quantity);
    group.total += row.quantity;
  }
  const loans = new Map();
  for (const row of plan.loans) {
    const key = loanKey(row.skill, row.from, row.to);
    if (!loans.has(key)) loans.set(key, { key, skill: row.skill, lender: row.from, borrower: row.to, days: new Map(), total: 0 });
    const group = loans.get(key);
    group.days.set(row.day, (group.days.get(row.day) || 0) + row.workers);
    group.total += row.workers;
  }
  const sort = (map) => [...map.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  return { own: sort(own), subcontracts: sort(subs), loans: sort(loans) };
}

/** Where a key of a removed move goes on the map. */
function endpointsOfKey(key, owners) {
  const [kind, ...rest] = key.split(":");
  if (kind === "subcontract") {
    const site = rest.pop();
    const order = rest.join(":");
    return { kind, from: owners.get(order), to: site, label: `${order} → ${site}` };
  }
  if (kind === "loan" && rest.length === 3) {
    const [skill, lender, borrower] = rest;
    return { kind, from: lender, to: borrower, label: `${term("skill", skill)} ${lender} → ${borrower}` };
  }
  return null;
}

function changeState(key, changes) {
  if (!changes) return "";
  if ((changes.added || []).includes(key)) return "added";
  if ((changes.changed || []).includes(key)) return "changed";
  return "";
}

export function flowsOf(moves, snapshot, changes) {
  const flows = [];
  for (const s of moves.subcontracts) {
    flows.push({
      kind: "subcontract", key: s.key, from: s.owner, to: s.site, volume: s.total, state: changeState(s.key, changes),
      label: t("map.flow_subcontract", { order: s.order, from: s.owner, to: s.site, units: fmtNumber(s.total) }),
    });
  }
  for (const l of moves.loans) {
    flows.push({
      kind: "loan", key: l.key, from: l.lender, to: l.borrower, volume: l.total, state: changeState(l.key, changes),
      label: t("map.flow_loan", { skill: term("skill", l.skill), from: l.lender, to: l.borrower, days: fmtNumber(l.total) }),
    });
  }
  if (changes) {
    const owners = new Map(snapshot.orders.map((o) => [o.id, o.owner]));
    for (const key of changes.removed || []) {
      const ends = endpointsOfKey(key, owners);
      if (ends && ends.from) flows.push({ ...ends, key, volume: 0, state: "removed", label: `${t("changes.removed")}: ${ends.label}` });
    }
    // A changed, added or removed move says what it was and what it is now (changesview.js).
    for (const flow of flows) {
      const detail = flow.state ? detailOf(changes, flow.key) : null;
      if (detail) flow.label = `${flow.label}${t("common.colon")}${beforeAfter(detail)}`;
    }
  }
  return flows;
}

// ----- sections ------------------------------------------------------------------------------------------------------

function figuresSection(plan, report) {
  const rows = [];
  const line = (label, before, after, attrs = {}) => rows.push(el("tr", attrs, el("th", { scope: "row" }, label), el("td", { class: "num" }, before), el("td", { class: "num" }, after)));
  const head = [
    [t("figures.status"), badge("plan", plan.status)],
    [t("figures.objective"), fmtMoney(plan.objective)],
    [t("figures.bound"), fmtMoney(plan.bound)],
    [t("figures.gap"), plan.gap === null || plan.gap === undefined ? "—" : fmtPct(plan.gap, 3)],
  ];
  // Why the solve stopped (plans stored before it was recorded have no stats).
  const stopReason = plan.stats && plan.stats.stop_reason;
  if (stopReason) head.push([t("figures.stopped"), t(`stop.${stopReason}`)]);
  const parts = [el("dl", { class: "figures" }, head.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v)))), proofLines(plan)];
  if (report && report.figures) {
    const { before, after, objective } = report.figures;
    line(t("figures.value"), fmtMoney(before.backlog_value), `${fmtMoney(after.value_cleared)} (${fmtPct(after.share_cleared)})`);
    line(t("figures.units"), fmtNumber(before.backlog_units), fmtNumber(after.units_cleared));
    line(t("figures.orders"), fmtNumber(before.orders), fmtNumber(after.orders_fully_cleared));
    line(t("figures.idle_days"), fmtNumber(before.idle_worker_days), fmtNumber(after.idle_worker_days_used, 1));
    line(t("figures.lent_days"), "—", fmtNumber(after.worker_days_lent));
    line(t("figures.unmet_value"), fmtMoney(before.backlog_value), fmtMoney(after.unmet_value));
    line(t("figures.pairs"), "—", fmtNumber(after.linked_pairs));
    parts.push(el("div", { class: "table-scroll" }, table([t("figures.item"), t("figures.before"), t("figures.after")], rows, { class: "figures-table" })));
    const breakdown = [
      [t("figures.value_delivered"), fmtMoney(objective.value_delivered)],
      [`− ${t("figures.transport")}`, fmtMoney(objective.transport_cost)],
      [`− ${t("figures.commute")}`, fmtMoney(objective.commute_cost)],
      [`− ${t("figures.link")}`, fmtMoney(objective.link_cost)],
      [`= ${t("figures.objective")}`, fmtMoney(objective.total)],
    ];
    parts.push(el("h3", {}, t("figures.breakdown")),
      el("table", { class: "breakdown" }, el("tbody", {}, breakdown.map(([k, v]) => el("tr", {}, el("th", { scope: "row" }, k), el("td", { class: "num" }, v))))));
    if (report.manual_baseline) {
      const m = report.manual_baseline;
      parts.push(el("p", { class: "baseline" }, t("figures.manual", {
        manual: fmtMoney(m.objective), gain: fmtMoney(m.objective_improvement), pct: fmtNumber(m.objective_improvement_pct, 1),
      })), manualTable(report));
    }
  }
  return el("section", { class: "card", "aria-labelledby": "figures-h" }, el("h2", { id: "figures-h" }, t("figures.title")), parts);
}

function mapSection(moves, snapshot, changes, width) {
  const firms = snapshot.enterprises.map((e) => ({ id: e.id, name: e.name, lat: e.lat, lon: e.lon }));
  const flows = flowsOf(moves, snapshot, changes);
  const figure = el("figure", { class: "map-figure" });
  const map = flowMap({ firms, flows, title: t("map.title"), idPrefix: "plan-map", width });
  // Zoom by buttons (and the browser's pinch on a phone: the box scrolls, the page does not).
  const box = el("div", { class: "map-zoom" }, map);
  let zoom = 1;
  const setZoom = (value) => {
    zoom = Math.min(4, Math.max(1, value));
    map.style.width = `${zoom * 100}%`;
    map.style.maxWidth = "none";
    zoomOut.disabled = zoom === 1;
    zoomIn.disabled = zoom === 4;
  };
  const zoomIn = el("button", { type: "button", "aria-label": t("map.zoom_in"), onclick: () => setZoom(zoom * 1.5) }, "+");
  const zoomOut = el("button", { type: "button", "aria-label": t("map.zoom_out"), onclick: () => setZoom(zoom / 1.5), disabled: true }, "−");
  const reset = el("button", { type: "button", onclick: () => setZoom(1) }, t("map.zoom_reset"));
  figure.append(el("div", { class: "map-tools", role: "group", "aria-label": t("map.zoom") }, zoomIn, zoomOut, reset), box);
  // The same flows as a list, for reading on a small screen or with a screen reader.
  figure.append(el("details", { class: "flow-list" }, el("summary", {}, t("map.list", { n: flows.length })),
    el("ul", {}, flows.map((f) => el("li", { class: f.state ? `flow-${f.state}` : null }, f.label)))));
  figure.append(el("figcaption", {}, legend({ showChanges: Boolean(changes) })));
  return el("section", { class: "card", "aria-labelledby": "map-h" }, el("h2", { id: "map-h" }, t("map.title")), figure);
}

function dayTableSection(moves, snapshot, changes) {
  const days = [...Array(snapshot.horizon_days).keys()];
  const names = new Map(snapshot.enterprises.map((e) => [e.id, e.name]));
  const used = new Set([...moves.own, ...moves.subcontracts, ...moves.loans].flatMap((g) => [...g.days.keys()]));
  // Long horizons: only the days something happens, so the table stays readable on a phone.
  const shown = days.length > 10 ? days.filter((d) => used.has(d)) : days;
  const head = [
    el("th", { scope: "col" }, t("days.kind")),
    el("th", { scope: "col" }, t("days.move")),
    ...shown.map((d) => el("th", { scope: "col", class: "num" }, el("span", { class: "day-no" }, dayLabel(snapshot.start_date, d)), el("br"), el("span", { class: "day-date" }, snapshot.start_date ? weekday(snapshot.start_date, d) : ""))),
    el("th", { scope: "col", class: "num" }, t("days.total")),
  ];
  const row = (kind, label, group, unit, key, firms) => {
    const state = changeState(key, changes);
    return el("tr", { class: state ? `changed-row change-${state}` : "", "data-key": key, "data-firms": firms.join(" ") },
      el("td", {}, el("span", { class: `kind kind-${kind}` }, t(`kind.${kind}`)), state ? el("span", { class: "change-tag" }, t(`changes.${state}`)) : null),
      el("th", { scope: "row" }, label),
      shown.map((d) => el("td", { class: "num" }, group.days.has(d) ? fmtNumber(group.days.get(d)) : "")),
      el("td", { class: "num total" }, `${fmtNumber(group.total)} ${unit}`));
  };
  const rows = [];
  for (const g of moves.subcontracts) {
    rows.push(row("subcontract", el("span", {}, `${g.order}: ${g.owner} → ${g.site}`, el("small", { class: "muted" }, ` ${names.get(g.site) || ""}`)), g, t("unit.units"), g.key, [g.owner, g.site]));
  }
  for (const g of moves.loans) {
    rows.push(row("loan", el("span", {}, `${term("skill", g.skill)}: ${g.lender} → ${g.borrower}`, el("small", { class: "muted" }, ` ${names.get(g.lender) || ""}`)), g, t("unit.worker_days"), g.key, [g.lender, g.borrower]));
  }
  for (const g of moves.own) {
    rows.push(row("own", `${g.order} @ ${g.site}`, g, t("unit.units"), g.key, [g.site]));
  }
  const note = shown.length < days.length ? el("p", { class: "hint" }, t("days.only_active", { n: shown.length, total: days.length })) : null;
  return el("section", { class: "card", "aria-labelledby": "days-h" }, el("h2", { id: "days-h" }, t("days.title")),
    el("p", { class: "hint" }, t("days.hint")), note,
    rows.length ? el("div", { class: "table-scroll" }, table(head, rows, { class: "day-table" })) : el("p", { class: "muted" }, t("days.none")));
}

/** An unmet order's reason or unlock (alliance/reasons.py) in the page's language, codes said in words. */
function actionText(action, prefix) {
  let text = action[`${prefix}${lang === "en" ? "en" : "zh"}`] || "";
  // The domain writes its reasons with codes (alliance/reasons.py): a person reads the catalogue's names.
  for (const group of ["skill", "process", "machine"]) {
    text = text.replace(/\b[a-z][a-z_]+\b/g, (code) => term(group, code));
  }
  return text;
}

function unmetSection(report) {
  const unmet = (report && report.unmet) || [];
  const rows = unmet.map((u) => el("tr", {},
    el("th", { scope: "row" }, u.order),
    el("td", {}, `${u.owner} ${u.owner_name}`),
    el("td", { class: "num" }, `${fmtNumber(u.unmet_units)} / ${fmtNumber(u.quantity)}`),
    el("td", { class: "num" }, fmtMoney(u.unmet_value)),
    el("td", { class: "unmet-reason" }, u.action ? actionText(u.action, "") : (lang === "en" ? u.reason_en : u.reason_zh)),
    el("td", { class: "unmet-unlock" }, u.action ? actionText(u.action, "unlock_") || "—" : "—")));
  return el("section", { class: "card", "aria-labelledby": "unmet-h" }, el("h2", { id: "unmet-h" }, t("unmet.title", { n: unmet.length })),
    unmet.length
      ? el("div", { class: "table-scroll" }, table([t("unmet.order"), t("unmet.owner"), t("unmet.units"), t("unmet.value"), t("unmet.reason"), t("unmet.unlock")], rows, { id: "unmet-table", sortable: true }))
      : el("p", { class: "muted" }, report ? t("unmet.none") : t("plan.no_report")));
}

function checksSection(report) {
  const checks = report && report.checks;
  if (!checks) return el("section", { class: "card" }, el("h2", {}, t("checks.title")), el("p", { class: "muted" }, t("plan.no_report")));
  const broken = new Map();
  for (const v of checks.violations) broken.set(v.rule, [...(broken.get(v.rule) || []), v.message]);
  const items = RULES.map((rule) => {
    const bad = broken.get(rule);
    return el("li", { class: bad ? "check-fail" : "check-pass", "data-rule": rule },
      el("span", { class: "check-mark", "aria-hidden": "true" }, bad ? "✗" : "✓"), " ",
      el("strong", {}, t("checks.rule", { n: rule })), ` ${t(`rule.${rule}`)} `,
      el("span", { class: "visually-hidden" }, bad ? t("checks.failed") : t("checks.passed")),
      bad ? el("ul", {}, bad.map((m) => el("li", {}, pick(m)))) : null);
  });
  const objective = el("li", { class: checks.objective_matches ? "check-pass" : "check-fail" },
    el("span", { class: "check-mark", "aria-hidden": "true" }, checks.objective_matches ? "✓" : "✗"), " ",
    t("checks.objective", { value: fmtMoney(checks.objective) }));
  return el("section", { class: "card", "aria-labelledby": "checks-h" },
    el("h2", { id: "checks-h" }, t("checks.title")),
    el("p", { class: checks.ok ? "notice ok" : "notice error" }, checks.ok ? t("checks.all_ok") : t("checks.some_failed", { n: checks.violations.length })),
    el("ul", { class: "checks" }, items, objective));
}

function settlementSection(report) {
  const lines = (report && report.settlement) || [];
  if (!lines.length) return null;
  const rows = lines.map((s) => el("tr", {},
    el("th", { scope: "row" }, `${s.enterprise} ${s.name}`),
    el("td", { class: "num" }, fmtMoney(s.pays)),
    el("td", { class: "num" }, fmtMoney(s.receives)),
    el("td", { class: `num ${s.net < 0 ? "negative" : ""}` }, fmtMoney(s.net)),
    el("td", { class: "num" }, fmtMoney(s.transport_cost + s.commute_cost))));
  return el("section", { class: "card", "aria-labelledby": "settle-h" }, el("h2", { id: "settle-h" }, t("settle.title")),
    el("p", { class: "hint" }, t("settle.hint")),
    el("div", { class: "table-scroll" }, table([t("settle.firm"), t("settle.pays"), t("settle.receives"), t("settle.net"), t("settle.costs")], rows, { sortable: true })));
}

/** A firm chooser: the map dims the other firms' moves and the day table shows only this firm's rows. */
function firmFilter(root, snapshot, moves) {
  const active = new Set([...moves.subcontracts.flatMap((g) => [g.owner, g.site]), ...moves.loans.flatMap((g) => [g.lender, g.borrower])]);
  const select = el("select", { id: "firm-filter" },
    el("option", { value: "" }, t("plan.all_firms")),
    snapshot.enterprises.filter((e) => active.has(e.id)).map((e) => el("option", { value: e.id }, `${e.id} ${e.name}`)));
  select.addEventListener("change", () => {
    const firm = select.value;
    for (const flow of root.querySelectorAll("svg.flow-map g.flow")) {
      flow.classList.toggle("dimmed", Boolean(firm) && flow.dataset.from !== firm && flow.dataset.to !== firm);
    }
    for (const node of root.querySelectorAll("svg.flow-map g.firm")) node.classList.toggle("chosen", node.dataset.firm === firm);
    for (const tr of root.querySelectorAll("table.day-table tbody tr")) {
      tr.hidden = Boolean(firm) && !tr.dataset.firms.split(" ").includes(firm);
    }
  });
  return el("div", { class: "field inline-field" }, el("label", { for: "firm-filter" }, t("plan.filter_firm")), select);
}

/** Fill `root` with the whole plan view. */
export function renderPlan(root, { plan, snapshot, changes = null }) {
  const moves = groupMoves(plan, snapshot);
  const report = plan.report || null;
  const map = mapSection(moves, snapshot, changes, root.clientWidth - 34);
  map.querySelector("h2").after(firmFilter(root, snapshot, moves));
  clear(root,
    figuresSection(plan, report),
    map,
    dayTableSection(moves, snapshot, changes),
    unmetSection(report),
    checksSection(report),
    settlementSection(report));
  return moves;
}
