// Shared by the execution and settlement pages: the round chooser and the figures of an item.
import { api } from "./api.js";
import { dayDate, pick, t } from "./i18n.js";
import { el, pageData } from "./ui.js";

/** Rounds the account sees, newest first, with their alliance; the chosen one from ?round= or the newest. */
export async function pickRound(box, path) {
  const alliances = await api("/alliances");
  const rounds = [];
  for (const alliance of alliances) {
    for (const round of await api(`/alliances/${alliance.id}/rounds`)) rounds.push({ alliance, round });
  }
  rounds.sort((a, b) => b.round.id - a.round.id);
  const wanted = Number(pageData("round")) || (rounds[0] && rounds[0].round.id);
  const select = el("select", { id: "round-select", "aria-label": t("execution.round") },
    rounds.map(({ alliance, round }) => el("option", { value: round.id, selected: round.id === wanted },
      `${pick(round.name)} · ${pick(alliance.name)}`)));
  select.addEventListener("change", () => location.assign(`${path}?round=${select.value}`));
  box.replaceChildren(el("label", { for: "round-select" }, t("execution.round")), select);
  return rounds.find((r) => r.round.id === wanted) || null;
}

export function executionTitle(x) {
  if (x.kind === "loan") {
    return t("execution.loan_title", { skill: x.skill, lender: x.first_party.name, borrower: x.second_party.name });
  }
  return t("execution.sub_title", { order: x.order_id, owner: x.first_party.name, site: x.second_party.name });
}

export function amountOf(x, n) {
  return t(x.kind === "loan" ? "execution.worker_days" : "execution.units", { n });
}

export function dateOf(x, day) {
  return dayDate(x.start_date, day);
}
