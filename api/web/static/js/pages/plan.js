// A job's plan: figures, map, day table, unmet orders, checks; the coordinator turns it into a proposal.
import { api, download } from "../api.js";
import { pick, t } from "../i18n.js";
import { renderPlan } from "../planview.js";
import { $, busy, clear, el, flash, pageData, problemText, run, startPage } from "../ui.js";

run(async () => {
  const account = await startPage();
  const id = pageData("job");
  const job = await api(`/jobs/${id}`);
  const [plan, snapshot, round, proposals] = await Promise.all([
    api(`/jobs/${id}/plan`), api(`/jobs/${id}/snapshot`), api(`/rounds/${job.round_id}`),
    api(`/rounds/${job.round_id}/proposals`),
  ]);
  $("#plan-title").textContent = t("plan.heading", { id: job.id });
  document.title = `${t("plan.heading", { id: job.id })} · ${t("app.name")}`;
  $("#plan-context").replaceChildren(el("a", { href: `/rounds/${round.id}` }, pick(round.name)), ` · ${pick(snapshot.alliance.name)}`,
    job.replan_of ? ` · ${t("job.replan_of", { id: job.replan_of, proposal: job.replan.from_proposal })}` : "");

  const actions = $("#plan-actions");
  const existing = proposals.find((p) => p.job_id === job.id);
  const exportButton = el("button", { type: "button", id: "export-xlsx" }, t("plan.export"));
  exportButton.addEventListener("click", () => busy(exportButton, async () => {
    try {
      await download(`/jobs/${job.id}/export?format=xlsx`, `plan-${job.id}.xlsx`);
    } catch (error) {
      flash(problemText(error), "error");
    }
  }));
  if (existing) {
    clear(actions, el("a", { class: "button primary", href: `/proposals/${existing.id}`, id: "open-proposal" }, t("plan.open_proposal", { version: existing.version })), exportButton);
  } else if (account.role === "coordinator" && job.status === "succeeded") {
    const create = el("button", { type: "button", class: "primary", id: "create-proposal" }, t("plan.create_proposal"));
    create.addEventListener("click", () => busy(create, async () => {
      try {
        const proposal = await api(`/jobs/${job.id}/proposals`, { method: "POST" });
        location.assign(`/proposals/${proposal.id}`);
      } catch (error) {
        flash(problemText(error), "error");
        $("#page-error").textContent = problemText(error);
      }
    }));
    clear(actions, create, exportButton,
      el("p", { class: "hint" }, job.replan ? t("plan.create_hint_replan") : t("plan.create_hint")));
  } else {
    clear(actions, exportButton);
  }
  renderPlan($("#plan-view"), { plan, snapshot });
});
