// The coordinator's county desk. A park round: what its approved plan could not clear, the escalate button,
// what was offered (and withdrawn), and the county items of the park's firms. A county round: what it received.
import { api, ApiError } from "../api.js";
import { pick, t } from "../i18n.js";
import { itemTitle, itemVolume } from "../itemview.js";
import { entryCard, roundLabel } from "../countyview.js";
import { $, badge, busy, clear, el, flash, pageData, problemText, run, showFormError, startPage, table } from "../ui.js";

const card = (id, title, ...body) => el("section", { class: "card", id, "aria-labelledby": `${id}-h` },
  el("h2", { id: `${id}-h` }, title), ...body);

async function optional(path) {
  try {
    return { value: await api(path) };
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) return { problem: error };
    throw error;
  }
}

function escalateForm(round, targets, reload) {
  const form = el("form", { id: "escalate-form", novalidate: true },
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    el("div", { class: "field" },
      el("label", { for: "to-round" }, t("county.target")),
      el("select", { id: "to-round", name: "to_round_id", "data-loc": "to_round_id" },
        targets.map((r) => el("option", { value: r.id }, roundLabel(r))))),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", id: "escalate" }, t("county.escalate"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(event.submitter || form, async () => {
      try {
        await api(`/county/rounds/${round.id}/escalations`, { method: "POST", json: { to_round_id: Number(form.to_round_id.value) } });
        flash(t("county.escalated_flash"));
        await reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

// The park coordinator takes back the whole escalation while the county round is open (a reason is required:
// the county coordinator reads it); the API refuses it, naming why, once a county item resting on it is confirmed.
function retractForm(esc, reload) {
  const id = `retract-reason-${esc.id}`;
  const form = el("form", { class: "retract-form", "data-escalation": esc.id, novalidate: true },
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    el("div", { class: "field" },
      el("label", { for: id }, t("county.retract_reason")),
      el("textarea", { id, name: "reason", rows: 2, maxlength: 500, required: true, "data-loc": "reason" })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "danger" }, t("county.retract"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(event.submitter || form, async () => {
      try {
        await api(`/county/escalations/${esc.id}/retract`, { method: "POST", json: { reason: form.reason.value } });
        flash(t("county.retracted_flash"));
        await reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

function countyItemsTable(items) {
  if (!items.length) return el("p", { class: "muted" }, t("county.no_county_items"));
  return el("div", { class: "table-scroll" }, table(
    [t("county.item"), t("county.parties"), t("county.volume"), t("county.item_status")],
    items.map((item) => el("tr", { "data-item": item.id },
      el("th", { scope: "row" }, itemTitle(item)),
      el("td", {}, `${item.first_party.code} ${item.first_party.name} → ${item.second_party.code} ${item.second_party.name}`),
      el("td", {}, itemVolume(item)),
      el("td", {}, badge("item", item.status))))));
}

async function parkSection(account, round) {
  const [escalations, targets, countyItems] = await Promise.all([
    api(`/county/rounds/${round.id}/escalations`), api(`/county/rounds/${round.id}/targets`),
    api(`/county/rounds/${round.id}/county-items`)]);
  const sections = [];
  const reload = () => show(account, round.id);
  const escalatedTo = new Set(escalations.map((e) => e.to_round.id));
  const open = targets.filter((r) => !escalatedTo.has(r.id));
  if (open.length) {
    const preview = await optional(`/county/rounds/${round.id}/leftovers`);
    const body = preview.problem
      ? [el("p", { class: "notice", id: "no-leftovers" }, problemText(preview.problem))]
      : [el("p", {}, t("county.preview_intro", { version: preview.value.proposal_version, n: preview.value.entries.length })),
        preview.value.entries.map((e) => entryCard(e)),
        account.role === "coordinator" && preview.value.entries.length ? escalateForm(round, open, reload) : null];
    sections.push(card("leftovers", t("county.leftovers"), ...body));
  } else if (!escalations.length) {
    sections.push(card("leftovers", t("county.leftovers"), el("p", { class: "muted" }, t("county.no_target"))));
  }
  for (const esc of escalations) {
    sections.push(card(`escalation-${esc.id}`, t("county.offered_to", { round: roundLabel(esc.to_round) }),
      el("p", { class: "hint" }, t("county.offered_intro")),
      esc.entries.map((e) => entryCard(e)),
      account.role === "coordinator" && esc.to_round.status === "open" && esc.entries.some((e) => !e.withdrawn_at)
        ? retractForm(esc, reload) : null));
  }
  if (escalations.length) sections.push(card("county-items", t("county.county_items"), countyItemsTable(countyItems)));
  return sections;
}

async function receivedSection(round) {
  const received = await api(`/county/rounds/${round.id}/received`);
  const body = received.length
    ? received.map((esc) => el("div", { class: "stack", "data-escalation": esc.id },
      el("h3", {}, t("county.received_from", { round: roundLabel(esc.from_round) })),
      esc.entries.map((e) => entryCard(e))))
    : [el("p", { class: "muted" }, t("county.nothing_received"))];
  return card("received", t("county.received"),
    el("p", {}, el("a", { class: "button", href: `/rounds/${round.id}` }, t("county.to_board"))), ...body);
}

async function show(account, roundId) {
  const root = $("#county");
  const round = await api(`/rounds/${roundId}`);
  const alliance = await api(`/alliances/${round.alliance_id}`);
  const sections = [el("p", {}, el("strong", {}, `${pick(alliance.name)} · ${pick(round.name)}`), " ", badge("round", round.status))];
  if (alliance.parent_id) sections.push(...await parkSection(account, round));
  sections.push(await receivedSection(round));
  clear(root, sections);
}

async function chooser(root) {
  const alliances = await api("/alliances");
  const rows = [];
  for (const alliance of alliances) {
    for (const round of await api(`/alliances/${alliance.id}/rounds`)) {
      rows.push(el("li", {}, el("a", { href: `/county?round=${round.id}` }, `${pick(alliance.name)} · ${pick(round.name)}`),
        " ", badge("round", round.status), " ", alliance.parent_id ? t("county.park_level") : t("county.upper_level")));
    }
  }
  clear(root, card("choose", t("county.choose_round"), rows.length ? el("ul", {}, rows) : el("p", { class: "muted" }, t("home.no_rounds"))));
}

run(async () => {
  const account = await startPage();
  const roundId = pageData("round");
  if (roundId) await show(account, roundId);
  else await chooser($("#county"));
});
