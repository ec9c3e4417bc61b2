// What a re-plan changed, item by item, as before → after (api/services/changes.py), and what keeping the
// unanswered items cost against re-planning everything (solver/disruption.py).
import { fmtLongDate, fmtMoney, fmtNumber, t } from "./i18n.js";
import { el, table } from "./ui.js";

function dayText(d) {
  return d.date ? fmtLongDate(d.date) : t("days.day", { day: Number(d.day) + 1 });
}

/** One side of a change: who, how much, which days. */
export function sideText(side) {
  if (!side) return "";
  const days = side.days.map((d) => `${dayText(d)} ${fmtNumber(d.amount)}`).join("、");
  if (side.kind === "subcontract") {
    return t("replan.side_subcontract", { site: side.second, units: fmtNumber(side.units), days });
  }
  return t("replan.side_loan", { from: side.first, to: side.second, headcount: fmtNumber(side.headcount),
    worker_days: fmtNumber(side.worker_days), days });
}

/** "before → after" of one detail, the way a table cell, an item row and a map label say it. */
export function beforeAfter(detail) {
  if (detail.change === "added") return `${t("replan.new")} → ${sideText(detail.after)}`;
  if (detail.change === "removed") {
    const instead = (detail.replaced_by || []).map((key) => key.split(":").slice(-1)[0]);
    const after = instead.length ? t("replan.replaced_by", { firms: instead.join("、") }) : t("replan.dropped");
    return `${sideText(detail.before)} → ${after}`;
  }
  return `${sideText(detail.before)} → ${sideText(detail.after)}`;
}

export function detailOf(changes, key) {
  return ((changes && changes.details) || []).find((d) => d.key === key) || null;
}

/** The trade-off in one sentence: "保持 86 条不变；如全部重排可多 ¥608". */
export function tradeoffText(tradeoff) {
  const parts = [t("replan.kept_of", { kept: fmtNumber(tradeoff.kept_unchanged), total: fmtNumber(tradeoff.preferred) })];
  parts.push(t("replan.free_gain", { gain: fmtMoney(tradeoff.value_given_up) }));
  if (tradeoff.value_given_up_at_most !== null && tradeoff.value_given_up_at_most !== undefined
      && tradeoff.value_given_up_at_most > tradeoff.value_given_up + 0.005) {
    parts.push(t("replan.free_gain_at_most", { at_most: fmtMoney(tradeoff.value_given_up_at_most) }));
  }
  return parts.join(t("replan.sep"));
}

/** The trade-off and the before → after table, for the proposal page's change card. */
export function changeDetails(changes, keyLabel) {
  const parts = [];
  if (changes.tradeoff) {
    const tr = changes.tradeoff;
    parts.push(el("p", { id: "tradeoff", class: "notice" }, tradeoffText(tr)));
    parts.push(el("p", { class: "hint" }, t("replan.tradeoff_hint", { penalty: fmtMoney(tr.change_penalty),
      moves: fmtNumber(tr.unrestricted_moves) })));
  }
  if (changes.moved !== undefined) parts.push(el("p", { id: "moved-count" }, t("replan.moved", { n: fmtNumber(changes.moved) })));
  const details = changes.details || [];
  if (details.length) {
    const rows = details.map((d) => el("tr", { class: `change-${d.change}`, "data-key": d.key },
      el("td", {}, el("span", { class: "change-tag" }, t(`changes.${d.change}`))),
      el("th", { scope: "row" }, keyLabel(d.key)),
      el("td", { class: "before" }, d.before ? sideText(d.before) : "—"),
      el("td", { class: "after" }, d.change === "removed" ? beforeAfter(d).split(" → ").slice(-1)[0] : sideText(d.after))));
    parts.push(el("div", { class: "table-scroll" },
      table([t("replan.col_change"), t("item.what"), t("replan.col_before"), t("replan.col_after")], rows, { id: "change-details" })));
  }
  return parts;
}

