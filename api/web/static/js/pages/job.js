// A planning job: live progress (objective, bound, gap, elapsed) while the solver runs, cancel, then the plan.
import { api } from "../api.js";
import { fmtMoney, fmtNumber, fmtPct, pick, t, term } from "../i18n.js";
import { $, busy, clear, el, flash, pageData, problemText, run, startPage } from "../ui.js";

const POLL_MS = 600;
const ACTIVE = new Set(["queued", "running"]);

// The solver reports progress now and then; between reports the clock keeps running here, measured with the
// browser's monotonic clock from the first time this page saw the job running (no clock skew with the server).
const clock = { seenAt: null, seenElapsed: 0 };

function elapsedOf(job) {
  const reported = (job.progress && job.progress.elapsed_s) || 0;
  if (!ACTIVE.has(job.status) || job.status === "queued") return reported;
  if (clock.seenAt === null) {
    clock.seenAt = performance.now();
    clock.seenElapsed = reported;
  }
  const limit = (job.options && job.options.time_limit_s) || Infinity;
  return Math.min(Math.max(reported, clock.seenElapsed + (performance.now() - clock.seenAt) / 1000), limit);
}

function show(job, account) {
  const progress = job.progress || {};
  const limit = job.options && job.options.time_limit_s;
  const elapsed = elapsedOf(job);
  $("#job-title").textContent = t("job.heading", { id: job.id });
  $("#job-context").textContent = job.replan_of
    ? t("job.replan_of", { id: job.replan_of, proposal: (job.replan && job.replan.from_proposal) || "?" })
    : t("job.fresh", { limit: fmtNumber(limit, 0) });
  $("#job-status").replaceChildren(el("span", { class: `badge job-${job.status}` }, term("status.job", job.status)),
    ACTIVE.has(job.status) && progress.phase ? ` ${term("phase", progress.phase)}` : "");
  const bar = $("#job-progress");
  if (ACTIVE.has(job.status)) {
    bar.value = limit ? Math.min(99, (100 * elapsed) / limit) : 0;
    bar.setAttribute("aria-valuetext", t("job.elapsed_of", { elapsed: fmtNumber(elapsed, 1), limit: fmtNumber(limit, 0) }));
  } else {
    bar.value = 100;
    bar.setAttribute("aria-valuetext", term("status.job", job.status));
  }
  const objective = job.objective ?? progress.objective;
  const bound = progress.bound;
  const gap = progress.gap;
  const pairs = [
    [t("figures.objective"), fmtMoney(objective)],
    [t("figures.bound"), fmtMoney(bound)],
    [t("figures.gap"), gap === null || gap === undefined ? "—" : fmtPct(gap, 3)],
    [t("job.elapsed"), `${fmtNumber(elapsed, 1)} s / ${fmtNumber(limit, 0)} s`],
  ];
  if (job.plan_status) pairs.push([t("figures.status"), term("status.plan", job.plan_status)]);
  if (progress.stop_reason) pairs.push([t("figures.stopped"), t(`stop.${progress.stop_reason}`)]);
  clear($("#job-figures"), pairs.map(([k, v]) => el("div", {}, el("dt", {}, k), el("dd", { "data-figure": k }, v))));
  $("#cancel-job").hidden = !(ACTIVE.has(job.status) && account.role === "coordinator");
  const errorBox = $("#job-error");
  errorBox.hidden = !job.error;
  errorBox.textContent = job.error ? pick(job.error) : "";
  const planLink = $("#view-plan");
  planLink.href = `/jobs/${job.id}/plan`;
  planLink.hidden = !(job.status === "succeeded" || (job.status === "cancelled" && job.plan_status));
  $("#back-round").href = `/rounds/${job.round_id}`;
}

run(async () => {
  const account = await startPage();
  const id = pageData("job");
  let job = await api(`/jobs/${id}`);
  show(job, account);
  $("#cancel-job").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    try {
      job = await api(`/jobs/${id}/cancel`, { method: "POST" });
      show(job, account);
      flash(t("job.cancelled"));
    } catch (error) {
      flash(problemText(error), "error");
    }
  }));
  let failures = 0;
  while (ACTIVE.has(job.status)) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS * (1 + failures)));
    try {
      job = await api(`/jobs/${id}`);
      failures = 0;
    } catch (error) {
      // A lost connection: keep trying, more slowly, and say so; give up after a minute or so.
      flash(problemText(error), "error");
      if (++failures > 10) throw error;
      continue;
    }
    show(job, account);
  }
  if (job.status === "succeeded") {
    flash(t("job.done"));
    $("#view-plan").focus();
  }
});
