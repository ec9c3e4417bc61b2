// The firm's items in approved proposals: confirm, or decline with a reason; agreements of confirmed items.
import { api } from "../api.js";
import { fmtDateTime, t } from "../i18n.js";
import { itemAnswers, itemDays, itemTerms, itemTitle, itemVolume, sortItems } from "../itemview.js";
import { $, badge, busy, clear, clearErrors, el, flash, localError, problemText, run, showFormError, startPage } from "../ui.js";

function respondForm(item, reload) {
  const reasonId = `reason-${item.id}`;
  const form = el("form", { class: "respond", novalidate: true, "data-item": item.id },
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", value: "confirm" }, t("items.confirm"))),
    el("div", { class: "field" },
      el("label", { for: reasonId }, t("items.reason_label")),
      el("textarea", { id: reasonId, name: "reason", rows: 2, maxlength: 4000, "data-loc": "reason" })),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "danger", value: "decline" }, t("items.decline"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = event.submitter ? event.submitter.value : "confirm";
    const reason = form.reason.value.trim();
    clearErrors(form);
    if (answer === "decline" && !reason) {
      showFormError(form, localError([[["reason"], t("items.reason_required")]]));
      return;
    }
    await busy(event.submitter || form, async () => {
      try {
        await api(`/items/${item.id}/respond`, { method: "POST", json: answer === "decline" ? { answer, reason } : { answer } });
        flash(t(answer === "confirm" ? "items.confirmed_flash" : "items.declined_flash", { title: itemTitle(item) }));
        await reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

function itemCard(item, reload, withForm, enterpriseId) {
  // The item carries its round's first day: calendar dates without fetching the proposal or the round.
  const start = item.start_date;
  const mine = item.responses.find((r) => r.enterprise_id === enterpriseId);
  return el("article", { class: `card item item-${item.status}`, "data-item": item.id, "data-key": item.key },
    el("h3", {}, itemTitle(item), " ", badge("item", item.status),
      item.proposal_final_status && item.proposal_final_status !== "answering" ? [" ", badge("final", item.proposal_final_status)] : null),
    item.outdated ? el("p", { class: "notice error outdated-note" }, t("lifecycle.item_outdated_firm")) : null,
    item.next_version ? el("p", { class: "notice coming-note", "data-coming": item.next_version }, badge("coming", item.next_version), " ",
      t(`lifecycle.firm_next_${item.next_version}`)) : null,
    el("p", {}, t(`items.role_${item.my_role}`, { party: item.counterparty ? `${item.counterparty.code} ${item.counterparty.name}` : "" })),
    el("p", {}, el("strong", {}, itemVolume(item)), ` · ${itemDays(item, start)}`),
    itemTerms(item, start),
    el("p", { class: "answers" }, itemAnswers(item)),
    mine && mine.reason && item.status !== "declined" ? el("p", { class: "reason" }, `${t("item.reason")}${t("common.colon")}${mine.reason}`) : null,
    item.status === "declined" && item.reason ? el("p", { class: "reason" }, `${t("item.reason")}${t("common.colon")}${item.reason}`) : null,
    item.status === "confirmed"
      ? el("p", {}, el("a", { class: "button", href: `/agreements/${item.id}` }, t("items.agreement")), ` ${t("items.confirmed_at", { at: fmtDateTime(item.decided_at) })}`)
      : null,
    withForm && !item.next_version ? respondForm(item, reload) : null,
    // An answer may change until the coordinator acts on it (re-plans); carried-over items were settled before.
    !withForm && mine && !item.next_version && !item.carried_from_id
      ? el("details", { class: "change-answer" }, el("summary", {}, t("lifecycle.change_answer")), respondForm(item, reload))
      : null);
}

/** "Confirm all": a firm with many items answers them in one go, after a second, explicit step naming the count. */
function confirmAll(items, reload) {
  const box = el("div", { class: "confirm-all" });
  const question = el("div", { class: "confirm", role: "group", hidden: true },
    el("p", {}, t("items.confirm_all_question", { n: items.length })));
  const start = el("button", { type: "button", "aria-expanded": "false" }, t("items.confirm_all", { n: items.length }));
  const yes = el("button", { type: "button", class: "primary" }, t("items.confirm_all_yes"));
  const no = el("button", { type: "button", onclick: () => { question.hidden = true; start.setAttribute("aria-expanded", "false"); start.focus(); } }, t("round.close_no"));
  question.append(el("div", { class: "actions" }, yes, no));
  start.addEventListener("click", () => { question.hidden = false; start.setAttribute("aria-expanded", "true"); yes.focus(); });
  yes.addEventListener("click", () => busy(yes, async () => {
    const failed = [];
    for (const item of items) {
      try {
        await api(`/items/${item.id}/respond`, { method: "POST", json: { answer: "confirm" } });
      } catch (error) {
        failed.push(`${itemTitle(item)}${t("common.colon")}${problemText(error)}`);
      }
    }
    await reload();
    if (failed.length) flash(t("items.confirm_all_failed", { n: failed.length, list: failed.join("；") }), "error");
    else flash(t("items.confirm_all_done", { n: items.length }));
  }));
  box.append(start, question);
  return box;
}

function section(id, title, items, reload, withForm, enterpriseId) {
  const cards = items.map((item) => itemCard(item, reload, withForm, enterpriseId));
  return el("section", { id, "aria-labelledby": `${id}-h`, class: "item-group" },
    el("h2", { id: `${id}-h` }, `${title} (${items.length})`),
    withForm && items.length > 1 ? confirmAll(items, reload) : null,
    cards.length ? cards : el("p", { class: "muted" }, t("items.none")));
}

run(async () => {
  const account = await startPage();
  const root = $("#items");
  const reload = async () => {
    const items = await api("/me/items");
    const groups = sortItems(items, account.enterprise_id);
    clear(root,
      section("awaiting", t("items.awaiting"), groups.mine, reload, true, account.enterprise_id),
      section("waiting", t("items.waiting"), groups.theirs, reload, false, account.enterprise_id),
      section("confirmed", t("items.confirmed"), groups.confirmed, reload, false, account.enterprise_id),
      section("declined", t("items.declined"), groups.declined, reload, false, account.enterprise_id));
    if (!items.length) root.prepend(el("p", { class: "notice" }, t("items.empty")));
  };
  await reload();
});
