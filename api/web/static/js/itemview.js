// A proposal item (one sub-contract or one loan between two firms) in words, for tables and cards.
import { dayLabel, fmtMoney, fmtNumber, t, term } from "./i18n.js";
import { el } from "./ui.js";

export function itemTitle(item) {
  if (item.kind === "subcontract") {
    return t("item.subcontract_title", { order: item.order_id, from: item.first_party.code, to: item.second_party.code });
  }
  return t("item.loan_title", { skill: term("skill", item.skill), from: item.first_party.code, to: item.second_party.code });
}

/** "12-07: 480 · 12-08: 360" from the item's rows. */
export function itemDays(item, startDate) {
  const perDay = new Map();
  for (const row of item.rows) {
    const amount = item.kind === "subcontract" ? row.quantity : row.workers;
    perDay.set(row.day, (perDay.get(row.day) || 0) + amount);
  }
  return [...perDay.entries()].sort((a, b) => a[0] - b[0])
    // A no-break space: a day and its amount stay on one line when the list wraps on a phone.
    .map(([day, amount]) => `${dayLabel(startDate, day)}:\u00a0${fmtNumber(amount)}`)
    .join(" · ");
}

export function itemVolume(item) {
  const terms = item.terms || {};
  if (item.kind === "subcontract") return t("item.units", { n: fmtNumber(terms.units ?? item.rows.reduce((s, r) => s + r.quantity, 0)) });
  return t("item.worker_days", { n: fmtNumber(terms.worker_days ?? item.rows.reduce((s, r) => s + r.workers, 0)) });
}

/** The money and distance terms, as a definition list (dates when the round's first day is known). */
export function itemTerms(item, startDate) {
  const terms = item.terms || {};
  const pairs = [];
  if (item.kind === "subcontract") {
    pairs.push([t("item.settlement_value"), fmtMoney(terms.settlement_value)]);
    pairs.push([t("item.transport_cost"), fmtMoney(terms.transport_cost)]);
    if (terms.ship_by_day !== undefined) {
      pairs.push([t("item.ship_by"), dayLabel(startDate, terms.ship_by_day)]);
    }
  } else {
    pairs.push([t("item.headcount"), fmtNumber(terms.headcount)]);
    pairs.push([t("item.wage_reimbursed"), fmtMoney(terms.wage_reimbursed)]);
    pairs.push([t("item.commute_cost"), fmtMoney(terms.commute_cost)]);
  }
  if (terms.distance_km !== undefined) pairs.push([t("item.distance"), `${fmtNumber(terms.distance_km, 1)} km`]);
  return el("dl", { class: "terms" }, pairs.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", {}, v))));
}

/** Who answered what: "A ✓ 确认 · B 待答复". */
export function itemAnswers(item) {
  // Confirmed in the previous version with the same rows: nobody answers again.
  if (item.carried_from_id && item.status === "confirmed") return [el("span", { class: "answer answer-confirm" }, t("item.carried"))];
  const answers = new Map(item.responses.map((r) => [r.enterprise_id, r]));
  return [item.first_party, item.second_party].map((party) => {
    const response = answers.get(party.id);
    const state = response ? response.answer : "waiting";
    return el("span", { class: `answer answer-${state}` }, `${party.code} ${term("answer", state)}`);
  }).reduce((acc, node, i) => (i ? [...acc, " · ", node] : [node]), []);
}

/** Items of my firm, sorted into: waiting for my answer, waiting for the other firm, confirmed, declined. */
export function sortItems(items, enterpriseId) {
  const groups = { mine: [], theirs: [], confirmed: [], declined: [] };
  for (const item of items) {
    if (item.status === "confirmed") groups.confirmed.push(item);
    else if (item.status === "declined") groups.declined.push(item);
    else if (item.responses.some((r) => r.enterprise_id === enterpriseId)) groups.theirs.push(item);
    else groups.mine.push(item);
  }
  return groups;
}
