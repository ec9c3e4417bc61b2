// How an escalated entry reads (shared by the county pages): an order's unmet units, or a firm's unused capacity.
import { dayDate, fmtNumber, lang, pick, t, term } from "./i18n.js";
import { el } from "./ui.js";

const total = (values) => values.reduce((sum, v) => sum + v, 0);

/** The days with something left, as dates: "2026-12-07 … 2026-12-09". */
function span(start, values) {
  const days = values.map((v, d) => (v > 0 ? d : -1)).filter((d) => d >= 0);
  if (!days.length) return "";
  const first = dayDate(start, days[0]);
  const last = dayDate(start, days[days.length - 1]);
  return first === last ? first : `${first} … ${last}`;
}

export function entryTitle(entry) {
  return entry.kind === "order"
    ? t("county.entry_order", { order: entry.payload.order.id })
    : t("county.entry_capacity");
}

export function entryLines(entry) {
  const p = entry.payload;
  if (entry.kind === "order") {
    const reason = p.reason_zh ? (lang === "en" ? p.reason_en : p.reason_zh) : t("county.no_reason");
    return [
      t("county.order_units", { units: p.order.quantity, quantity: p.quantity, planned: p.planned }),
      t("county.order_window", { release: p.release_date, due: p.due_date }),
      `${t("county.park_reason")}${t("common.colon")}${pick(reason)}`,
    ];
  }
  const lines = [];
  for (const [skill, values] of Object.entries(p.idle_workers || {})) {
    const lendable = (p.lendable_workers || {})[skill] || [];
    lines.push(t("county.capacity_workers", { skill: term("skill", skill), days: total(values),
      lendable: total(lendable), span: span(p.start_date, values) }));
  }
  for (const [machine, values] of Object.entries(p.spare_machine_hours || {})) {
    lines.push(t("county.capacity_hours", { machine: term("machine", machine), hours: fmtNumber(total(values), 1),
      span: span(p.start_date, values) }));
  }
  return lines;
}

export function entryCard(entry, ...extra) {
  const status = entry.withdrawn_at ? "withdrawn" : "offered";
  return el("article", { class: `card entry entry-${status}`, "data-entry": entry.id, "data-kind": entry.kind },
    el("h3", {}, `${entry.enterprise.code} ${entry.enterprise.name} · ${entryTitle(entry)} `,
      el("span", { class: `badge ${entry.withdrawn_at ? "warn" : "ok"}` }, t(`county.status_${status}`))),
    el("ul", {}, entryLines(entry).map((line) => el("li", {}, line))),
    entry.left_out ? el("p", { class: "reason" }, `${t("county.left_out")}${t("common.colon")}${pick(entry.left_out)}`) : null,
    ...extra);
}

export function roundLabel(round) {
  return t("county.round_label", { alliance: pick(round.alliance_name), name: pick(round.name),
    start: dayDate(round.start_date, 0), end: dayDate(round.start_date, round.horizon_days - 1) });
}
