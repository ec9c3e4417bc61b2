// A proposal: its items and what changed since the previous version, the plan view, the review history;
// the coordinator submits it or re-plans it, the guide approves it or rejects it with a comment.
import { api } from "../api.js";
import { fmtDateTime, fmtMoney, fmtPct, pick, t, term } from "../i18n.js";
import { itemAnswers, itemDays, itemTitle, itemVolume } from "../itemview.js";
import { changeDetails, detailOf, sideText } from "../changesview.js";
import { renderPlan } from "../planview.js";
import { $, badge, busy, clear, clearErrors, definitionList, el, flash, localError, pageData, problemText, run, showFormError, startPage, table } from "../ui.js";

function keyLabel(key) {
  const [kind, ...rest] = key.split(":");
  if (kind === "subcontract") {
    const site = rest.pop();
    return t("changes.subcontract", { order: rest.join(":"), to: site });
  }
  if (kind === "loan") return t("item.loan_title", { skill: term("skill", rest[0]), from: rest[1], to: rest[2] });
  return key;
}

// Dozens of unchanged items would push the changes out of sight: they fold away.
function keptFolded(group, list) {
  return group === "kept" ? el("details", { class: "kept-list" }, el("summary", {}, t("replan.show_kept")), list) : list;
}

function changesView(changes) {
  const groups = ["added", "changed", "removed", "kept"];
  return el("div", { class: "changes" },
    el("p", {}, t("changes.since", { id: changes.previous_id })),
    el("ul", { class: "change-list" }, groups.map((group) => el("li", { class: `change-${group}${(changes[group] || []).length ? " has-changes" : ""}` },
      el("strong", {}, `${t(`changes.${group}`)} (${(changes[group] || []).length})`), " ",
      (changes[group] || []).length
        ? keptFolded(group, el("ul", {}, changes[group].map((key) => el("li", { "data-key": key }, keyLabel(key)))))
        : el("span", { class: "muted" }, t("changes.none"))))),
    changeDetails(changes, keyLabel));
}

function itemsTable(items, changes, startDate) {
  const stateOf = (key) => {
    if (!changes) return "";
    if ((changes.added || []).includes(key)) return "added";
    if ((changes.changed || []).includes(key)) return "changed";
    return "";
  };
  const rows = items.map((item) => {
    const state = stateOf(item.key);
    return el("tr", { class: state ? `changed-row change-${state}` : "", "data-key": item.key, "data-item": item.id, "data-outdated": item.outdated ? "1" : null },
      el("td", {}, el("span", { class: `kind kind-${item.kind}` }, t(`kind.${item.kind}`)), state ? el("span", { class: "change-tag" }, t(`changes.${state}`)) : null),
      el("th", { scope: "row" }, itemTitle(item), el("br"), el("small", { class: "muted" }, `${item.first_party.name} → ${item.second_party.name}`)),
      el("td", {}, itemVolume(item), state === "changed" && detailOf(changes, item.key)
        ? el("div", { class: "change-before muted" }, `${t("replan.before_prefix")}${sideText(detailOf(changes, item.key).before)}`) : null),
      el("td", {}, itemDays(item, startDate)),
      el("td", {}, badge("item", item.status), item.outdated ? [" ", el("span", { class: "badge outdated" }, t("lifecycle.item_outdated"))] : null, item.carried_from_id ? el("small", { class: "muted" }, ` ${t("item.carried")}`) : null,
        item.reason && item.status === "declined" ? el("div", { class: "reason" }, `${t("item.reason")}${t("common.colon")}${item.reason}`) : null),
      el("td", {}, itemAnswers(item)));
  });
  return rows.length
    ? table([t("days.kind"), t("item.what"), t("item.volume"), t("item.days"), t("item.status"), t("item.answers")], rows, { id: "items-table", sortable: true })
    : el("p", { class: "muted" }, t("proposal.no_items"));
}

/** What the guide decides on, beside the decision: the key figures, what changed since a rejected version. */
function keyFigures(proposal) {
  const summary = proposal.summary || {};
  const after = (summary.figures || {}).after || {};
  const since = proposal.since_rejected;
  const count = (group) => (since && since[group] ? since[group].length : 0);
  return el("section", { class: "card", id: "key-figures", "aria-labelledby": "key-figures-h" },
    el("h2", { id: "key-figures-h" }, t("lifecycle.key_figures")),
    definitionList([
      [t("figures.objective"), fmtMoney(summary.objective)],
      [t("home.share_cleared"), fmtPct(after.share_cleared)],
      [t("figures.unmet_value"), fmtMoney(after.unmet_value)],
      [t("figures.subcontracts"), String(summary.subcontracts ?? "—")],
      [t("figures.loans"), String(summary.loans ?? "—")],
      [t("figures.gap"), fmtPct(summary.gap)],
    ], { class: "figures compact" }),
    proposal.changes ? el("p", { class: "hint" }, t("home.changes", {
      added: proposal.changes.added.length, changed: proposal.changes.changed.length, removed: proposal.changes.removed.length })) : null,
    since ? el("div", { class: "notice", id: "since-rejected" },
      el("p", {}, el("strong", {}, t("lifecycle.since_rejected", { version: since.rejected_version })), " ",
        t("home.changes", { added: count("added"), changed: count("changed"), removed: count("removed") })),
      since.comment ? el("p", {}, `${t("lifecycle.rejection_comment")}${t("common.colon")}`, el("q", {}, since.comment)) : null,
      el("ul", { class: "change-list" }, ["added", "changed", "removed"].flatMap((group) => since[group].map((key) =>
        el("li", { class: `change-${group}`, "data-key": key }, `${t(`changes.${group}`)}${t("common.colon")}${keyLabel(key)}`))))) : null,
    proposal.outdated_firms.length ? el("p", { class: "notice error" }, t("lifecycle.queue_outdated", {
      firms: proposal.outdated_firms.map((f) => f.code).join("、") })) : null);
}

function reviewForm(proposal) {
  const form = el("form", { id: "review-form", class: "card", novalidate: true },
    el("h2", {}, t("review.title")),
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive", tabindex: "-1" }),
    el("div", { class: "field" },
      el("label", { for: "review-comment" }, t("review.comment_label")),
      el("textarea", { id: "review-comment", name: "comment", rows: 3, maxlength: 4000, "data-loc": "comment", "aria-describedby": "review-comment-hint" }),
      el("span", { class: "hint", id: "review-comment-hint" }, t("review.comment_hint"))),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary", value: "approve", id: "approve" }, t("review.approve")),
      el("button", { type: "submit", class: "danger", value: "reject", id: "reject" }, t("review.reject"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const decision = event.submitter ? event.submitter.value : "approve";
    const comment = form.comment.value.trim();
    clearErrors(form);
    if (decision === "reject" && !comment) {
      showFormError(form, localError([[["comment"], t("review.comment_required")]]));
      return;
    }
    await busy(event.submitter || form, async () => {
      try {
        await api(`/proposals/${proposal.id}/review`, { method: "POST", json: { decision, comment } });
        sessionStorage.setItem("alliance.flash", t(decision === "approve" ? "review.approved" : "review.rejected"));
        location.reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

function replanForm(proposal) {
  const declined = proposal.item_counts.declined || 0;
  const confirmed = proposal.item_counts.confirmed || 0;
  const form = el("form", { id: "replan-form", class: "card", novalidate: true },
    el("h2", {}, t("replan.title")),
    el("p", { class: "hint" }, t("replan.hint", { confirmed, declined })),
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    el("div", { class: "field" },
      el("label", { for: "replan-limit" }, t("round.time_limit")),
      el("input", { id: "replan-limit", name: "time_limit_s", inputmode: "decimal", value: "30", "data-loc": "time_limit_s" })),
    el("div", { class: "field" },
      el("label", { for: "replan-penalty" }, t("replan.penalty_label")),
      el("input", { id: "replan-penalty", name: "change_penalty", inputmode: "decimal", value: "500", "data-loc": "change_penalty", "aria-describedby": "replan-penalty-hint" }),
      el("span", { class: "hint", id: "replan-penalty-hint" }, t("replan.penalty_hint"))),
    el("button", { type: "submit", class: "primary", id: "replan" }, t("replan.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const limit = Number(form.time_limit_s.value.trim());
    if (!form.time_limit_s.value.trim() || !Number.isFinite(limit) || limit <= 0) {
      showFormError(form, localError([[["time_limit_s"], t("round.time_limit_invalid")]]));
      return;
    }
    const penalty = Number(form.change_penalty.value.trim());
    if (!form.change_penalty.value.trim() || !Number.isFinite(penalty) || penalty < 0) {
      showFormError(form, localError([[["change_penalty"], t("replan.penalty_invalid")]]));
      return;
    }
    await busy($("#replan", form), async () => {
      try {
        const job = await api(`/proposals/${proposal.id}/replan`, { method: "POST", json: { time_limit_s: limit, change_penalty: penalty } });
        location.assign(`/jobs/${job.id}`);
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

/** Built on reports that changed since: say which firms, and offer the coordinator a re-plan on the latest ones. */
function outdatedBanner(proposal, account) {
  const firms = proposal.outdated_firms.map((f) => `${f.code} ${f.name}`).join("、");
  const box = el("div", { class: "notice error", id: "outdated-warning", role: "status" },
    el("p", {}, el("strong", {}, t("lifecycle.outdated_title")), " ",
      t("lifecycle.outdated_text", { firms, n: proposal.outdated_items.length })));
  if (account.role === "coordinator") {
    const error = el("div", { class: "form-error", role: "alert" });
    const button = el("button", { type: "button", class: "primary", id: "refresh-plan" }, t("lifecycle.refresh"));
    button.addEventListener("click", () => busy(button, async () => {
      try {
        const job = await api(`/proposals/${proposal.id}/refresh`, { method: "POST", json: {} });
        location.assign(`/jobs/${job.id}`);
      } catch (err) {
        error.textContent = problemText(err);
      }
    }));
    box.append(el("p", { class: "hint" }, t("lifecycle.refresh_hint")), error, button);
  }
  return box;
}

function submitButton(proposal) {
  const button = el("button", { type: "button", class: "primary", id: "submit-review" }, t("proposal.submit"));
  button.addEventListener("click", () => busy(button, async () => {
    try {
      await api(`/proposals/${proposal.id}/submit`, { method: "POST" });
      sessionStorage.setItem("alliance.flash", t("proposal.submitted"));
      location.reload();
    } catch (error) {
      $("#page-error").textContent = problemText(error);
    }
  }));
  return el("div", { class: "card" }, el("p", {}, proposal.status === "rejected" ? t("proposal.resubmit_hint") : t("proposal.submit_hint")), button);
}

run(async () => {
  const account = await startPage();
  const id = pageData("proposal");
  const pending = sessionStorage.getItem("alliance.flash");
  if (pending) {
    sessionStorage.removeItem("alliance.flash");
    flash(pending);
  }
  const proposal = await api(`/proposals/${id}`);
  if (!proposal.job_id) {
    // A firm's clerk sees a proposal only in brief (no plan, no job): its own items are on the items page.
    $("#proposal-title").replaceChildren(t("proposal.heading", { version: proposal.version }), " ", badge("proposal", proposal.status));
    for (const busyNode of document.querySelectorAll("[aria-busy=true]")) clear(busyNode);
    $("#page-error").replaceChildren(el("p", {}, t("proposal.firm_view"), " ", el("a", { href: "/items" }, t("nav.items"))));
    return;
  }
  const [items, round, job, plan, snapshot] = await Promise.all([
    api(`/proposals/${id}/items`), api(`/rounds/${proposal.round_id}`), api(`/jobs/${proposal.job_id}`),
    api(`/jobs/${proposal.job_id}/plan`), api(`/jobs/${proposal.job_id}/snapshot`),
  ]);
  const heading = t("proposal.heading", { version: proposal.version });
  $("#proposal-title").replaceChildren(heading, " ", badge("proposal", proposal.status),
    proposal.final_status ? [" ", badge("final", proposal.final_status)] : "");
  document.title = `${heading} · ${t("app.name")}`;
  $("#proposal-context").replaceChildren(el("a", { href: `/rounds/${round.id}` }, pick(round.name)),
    ` · ${t("proposal.from_job")} `, el("a", { href: `/jobs/${job.id}/plan` }, `#${job.id}`),
    ` · ${t("proposal.created_at")} ${fmtDateTime(proposal.created_at)}`,
    proposal.submitted_at ? ` · ${t("proposal.submitted_at")} ${fmtDateTime(proposal.submitted_at)}` : "");

  const actions = $("#proposal-actions");
  const parts = [];
  if (proposal.outdated_firms.length) parts.push(outdatedBanner(proposal, account));
  if (account.role === "coordinator" && proposal.status === "draft") parts.push(submitButton(proposal));
  if (account.role === "coordinator" && proposal.status === "rejected") {
    parts.push(el("div", { class: "card", id: "rejected-next" }, el("p", {}, t("proposal.resubmit_hint")),
      el("a", { class: "button", href: `/rounds/${round.id}` }, t("lifecycle.to_board"))));
  }
  if (account.role === "coordinator" && proposal.next_version) parts.push(el("p", { class: "notice" }, t(`lifecycle.coord_next_${proposal.next_version}`)));
  if (proposal.final_status === "settled") parts.push(el("p", { class: "notice ok", id: "settled-note" }, t("lifecycle.proposal_settled")));
  if (proposal.final_status === "needs_replan") parts.push(el("p", { class: "notice", id: "needs-replan-note" }, t("lifecycle.proposal_needs_replan")));
  if (account.role === "coordinator" && proposal.status === "approved" && proposal.final_status !== "settled") parts.push(replanForm(proposal));
  // The decision sits beside the figures it is taken on, above the long item table.
  if (account.role === "guide" && proposal.status === "submitted") {
    parts.push(el("div", { class: "decision-grid", id: "decision" }, keyFigures(proposal), reviewForm(proposal)));
  } else if (proposal.since_rejected) {
    parts.push(keyFigures(proposal));
  }
  if (proposal.status === "submitted" && account.role !== "guide") parts.push(el("p", { class: "notice" }, t("proposal.waiting_review")));
  clear(actions, parts);

  if (proposal.changes) {
    $("#changes-card").hidden = false;
    clear($("#changes"), changesView(proposal.changes));
  }
  clear($("#proposal-items"), itemsTable(items, proposal.changes, snapshot.start_date));
  clear($("#review-history"), proposal.reviews.length
    ? el("ol", { class: "history" }, proposal.reviews.map((r) => el("li", {},
      badge("decision", r.decision), ` ${fmtDateTime(r.at)} `, r.comment ? el("q", {}, r.comment) : el("span", { class: "muted" }, t("review.no_comment")))))
    : el("p", { class: "muted" }, t("proposal.no_reviews")));
  renderPlan($("#plan-view"), { plan, snapshot, changes: proposal.changes });
});
