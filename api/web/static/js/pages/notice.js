// The public notice (公示) of a round: the coordinator drafts and submits, firms taking part consent to showing
// their quantities and prices, the guide approves (publishes) or rejects, members object, the coordinator answers.
import { api, ApiError } from "../api.js";
import { fmtDateTime, fmtMoney, t } from "../i18n.js";
import { pickRound } from "../afterplan.js";
import { $, busy, clear, clearErrors, definitionList, el, flash, localError, run, showFormError, startPage, table }
  from "../ui.js";

function form(cls, fields, button, work) {
  const node = el("form", { class: cls, novalidate: true }, el("div", { class: "form-error", role: "alert" }), fields,
    el("div", { class: "actions" }, button));
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(node);
    await busy(event.submitter || node, async () => {
      try {
        await work(node, event.submitter);
      } catch (error) {
        showFormError(node, error);
      }
    });
  });
  return node;
}

const textarea = (id, name, label, value = "", rows = 3) => el("div", { class: "field" },
  el("label", { for: id }, label),
  el("textarea", { id, name, rows, maxlength: 20000, "data-loc": name }, value));

function figuresView(f) {
  const money = (v) => (v === null || v === undefined ? "—" : fmtMoney(v));
  return [
    definitionList([[t("notice.orders_subcontracted"), String(f.orders_subcontracted)],
      [t("notice.worker_days_lent"), String(f.worker_days_lent)], [t("notice.units_accepted"), String(f.units_accepted)],
      [t("notice.backlog_value_cleared"), money(f.backlog_value_cleared)], [t("notice.gain_over_hand"), money(f.gain_over_hand)]]),
    el("p", {}, `${t("notice.firms")}${t("common.colon")}${f.firms.join("、")}`),
    f.details.length ? table([t("settlement.item"), t("settlement.pair"), t("execution.planned"), t("execution.actual"),
      t("notice.price")], f.details.map((d) => el("tr", {}, el("td", {}, d.key), el("td", {}, `${d.first} / ${d.second}`),
      el("td", { class: "num" }, d.planned), el("td", { class: "num" }, d.actual), el("td", { class: "num" }, d.price))),
    { class: "details" }) : null,
  ];
}

async function openPrint(id) {
  const response = await api(`/notices/${id}/print`, { raw: true });
  const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
  window.open(url, "_blank");
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function view(account, roundId, n, reload) {
  const parts = [];
  const draftForm = form("draft-form", [textarea("notice-text", "text", t("notice.text"), n ? n.text : "", 5),
    el("div", { class: "field" }, el("label", { for: "notice-days" }, t("notice.days")),
      el("input", { id: "notice-days", name: "notice_days", type: "number", min: 1, max: 60, value: n ? n.notice_days : 5,
        "data-loc": "notice_days" }))],
  el("button", { type: "submit", class: "primary" }, t("notice.save")), async (f) => {
    if (!f.text.value.trim()) throw localError([[["text"], t("execution.required")]]);
    await api(`/rounds/${roundId}/notice`, { method: "PUT", json: { text: f.text.value, notice_days: Number(f.notice_days.value) } });
    flash(t("notice.saved_flash"));
    await reload();
  });
  if (!n) {
    if (account.role === "coordinator") parts.push(el("section", { class: "card" }, el("h2", {}, t("notice.draft")), draftForm));
    else parts.push(el("p", { class: "muted" }, t("notice.none")));
    return parts;
  }
  parts.push(el("p", { id: "notice-status" }, el("span", { class: `badge notice-${n.status}` }, t(`notice.status_${n.status}`)),
    n.published_at ? ` ${t("notice.period", { start: fmtDateTime(n.published_at), end: fmtDateTime(n.ends_at) })}` : ""));
  if (n.review_comment) parts.push(el("p", { class: "reason" }, `${t("notice.review_comment")}${t("common.colon")}${n.review_comment}`));
  parts.push(el("section", { class: "card", id: "notice-body" }, el("p", { class: "notice-text" }, n.text), figuresView(n.figures),
    el("div", { class: "actions" }, el("button", { type: "button", class: "print", onclick: () => openPrint(n.id) }, t("notice.print")))));
  if (account.role === "coordinator" && n.status === "draft") {
    parts.push(el("section", { class: "card" }, el("h2", {}, t("notice.draft")), draftForm,
      el("button", { type: "button", id: "submit-notice", onclick: async (event) => busy(event.target, async () => {
        await api(`/notices/${n.id}/submit`, { method: "POST" });
        flash(t("notice.submitted_flash"));
        await reload();
      }) }, t("notice.submit"))));
  }
  if (account.role === "enterprise" && n.status !== "published") {
    parts.push(el("section", { class: "card" }, el("h2", {}, t("notice.consent")),
      el("p", {}, n.my_consent === null ? t("notice.consent_none") : t(n.my_consent ? "notice.consent_yes" : "notice.consent_no")),
      el("div", { class: "actions" }, [true, false].map((agreed) => el("button", { type: "button", class: agreed ? "primary" : "",
        onclick: async (event) => busy(event.target, async () => {
          await api(`/notices/${n.id}/consent`, { method: "POST", json: { agreed } });
          flash(t("notice.consent_flash"));
          await reload();
        }) }, t(agreed ? "notice.agree" : "notice.disagree"))))));
  }
  if (account.role === "guide" && n.status === "submitted") {
    parts.push(el("section", { class: "card" }, el("h2", {}, t("notice.review")),
      form("review-form", [textarea("review-comment", "comment", t("notice.review_comment"), "", 2)],
        [el("button", { type: "submit", class: "primary", value: "approve" }, t("notice.approve")),
          el("button", { type: "submit", class: "danger", value: "reject" }, t("notice.reject"))],
        async (f, submitter) => {
          const decision = submitter ? submitter.value : "approve";
          if (decision === "reject" && !f.comment.value.trim()) throw localError([[["comment"], t("execution.required")]]);
          await api(`/notices/${n.id}/review`, { method: "POST", json: { decision, comment: f.comment.value } });
          flash(t(decision === "approve" ? "notice.published_flash" : "notice.rejected_flash"));
          await reload();
        })));
  }
  if (n.status === "published") {
    const items = n.objections.map((o) => el("li", { "data-objection": o.id }, el("strong", {}, o.enterprise), ` (${fmtDateTime(o.filed_at)})${t("common.colon")}${o.text}`,
      o.answer ? el("p", { class: "answer" }, `${t("notice.answer")}${t("common.colon")}${o.answer}`)
        : (account.role === "coordinator" ? form("answer-form", [textarea(`answer-${o.id}`, "answer", t("notice.answer"), "", 2)],
          el("button", { type: "submit", class: "primary" }, t("notice.answer_submit")), async (f) => {
            if (!f.answer.value.trim()) throw localError([[["answer"], t("execution.required")]]);
            await api(`/objections/${o.id}/answer`, { method: "POST", json: { answer: f.answer.value } });
            flash(t("notice.answered_flash"));
            await reload();
          }) : el("p", { class: "muted" }, t("notice.awaiting_answer")))));
    parts.push(el("section", { class: "card", id: "objections" }, el("h2", {}, t("notice.objections")),
      items.length ? el("ol", {}, items) : el("p", { class: "muted" }, t("notice.no_objections")),
      account.role === "enterprise" && n.open_for_objections
        ? form("objection-form", [textarea("objection-text", "text", t("notice.objection_text"), "", 3)],
          el("button", { type: "submit", class: "primary" }, t("notice.object")), async (f) => {
            if (!f.text.value.trim()) throw localError([[["text"], t("execution.required")]]);
            await api(`/notices/${n.id}/objections`, { method: "POST", json: { text: f.text.value } });
            flash(t("notice.objected_flash"));
            await reload();
          }) : null));
  }
  return parts;
}

run(async () => {
  const account = await startPage();
  const root = $("#notice");
  const chosen = await pickRound($("#round-pick"), "/notice");
  if (!chosen) {
    clear(root, el("p", { class: "muted" }, t("notice.none")));
    return;
  }
  const roundId = chosen.round.id;
  const reload = async () => {
    let n = null;
    try {
      n = await api(`/rounds/${roundId}/notice`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    clear(root, view(account, roundId, n, reload));
  };
  await reload();
});
