// The coordinator's round board: who has reported, request a plan, close reporting, jobs and proposals of the round.
import { api } from "../api.js";
import { dayDate, fmtDateTime, fmtMoney, pick, t, term } from "../i18n.js";
import { $, badge, busy, clear, clearErrors, el, flash, localError, pageData, problemText, run, showFormError, startPage, table } from "../ui.js";

function number(text) {
  const value = Number(String(text).trim().replace(",", "."));
  return String(text).trim() === "" || !Number.isFinite(value) ? null : value;
}

function showMeta(round) {
  $("#round-meta").replaceChildren(badge("round", round.status), " ",
    round.plan_state === "settled" ? [badge("round_plan", "settled"), " "] : "",
    round.report_deadline ? [el("span", { class: `badge ${round.reports_locked ? "outdated" : "coming"}`, id: "deadline-badge" },
      t(round.reports_locked ? "lifecycle.deadline_passed" : "lifecycle.deadline_at", { at: fmtDateTime(round.report_deadline) })), " "] : "",
    t("round.span", { start: dayDate(round.start_date, 0), end: dayDate(round.start_date, round.horizon_days - 1), days: round.horizon_days }),
    ` · ${t("round.skills")}${t("common.colon")}${round.skills.map((s) => term("skill", s)).join("、")}`,
    round.machines.length ? ` · ${t("round.machines")}${t("common.colon")}${round.machines.map((m) => term("machine", m)).join("、")}` : "");
}

function showReports(round, reports, account) {
  const submitted = reports.filter((r) => r.latest_version);
  $("#reports-summary").textContent = t("round.reported_count", { n: submitted.length, total: reports.length });
  const canWrite = account.role === "coordinator" && round.status === "open";
  clear($("#reports"), table([t("round.firm"), t("round.report_status"), ""], reports.map((r) => el("tr", { class: r.latest_version ? "" : "missing", "data-firm": r.enterprise.code },
    el("th", { scope: "row" }, `${r.enterprise.code} ${r.enterprise.name}`),
    el("td", {}, r.latest_version
      ? el("span", { class: "badge ok" }, t("round.submitted_version", { version: r.latest_version, at: fmtDateTime(r.submitted_at) }))
      : el("span", { class: "badge warn" }, t("round.not_submitted"))),
    el("td", {}, canWrite ? el("a", { href: `/report?round=${round.id}&enterprise=${r.enterprise.id}` }, r.latest_version ? t("round.edit_report") : t("round.fill_report")) : ""))), { sortable: true }));
  $("#close-box").hidden = !canWrite;
  const note = $("#closed-note");
  note.hidden = round.status !== "closed" || !round.closed_at;
  note.textContent = round.closed_at ? t("round.closed_note", { at: fmtDateTime(round.closed_at) }) : "";
}

/** Close reporting: a second, explicit step (it cannot be undone), all by keyboard. */
function closeControls(round, reports, account) {
  const open = $("#close-round");
  const confirmBox = $("#close-confirm");
  const toggle = (show) => {
    confirmBox.hidden = !show;
    open.setAttribute("aria-expanded", String(show));
    if (show) $("#close-round-yes").focus();
    else open.focus();
  };
  open.addEventListener("click", () => {
    const missing = reports.filter((r) => !r.latest_version).length;
    $("#close-question").textContent = [t("round.close_confirm", { name: pick(round.name) }),
      missing ? t("round.close_missing", { n: missing }) : ""].filter(Boolean).join(" ");
    toggle(true);
  });
  $("#close-round-no").addEventListener("click", () => toggle(false));
  $("#close-round-yes").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    $("#close-error").textContent = "";
    try {
      const closed = await api(`/rounds/${round.id}/close`, { method: "POST" });
      Object.assign(round, closed);
      confirmBox.hidden = true;
      showMeta(round);
      showReports(round, reports, account);
      flash(t("round.closed_flash"));
      $("#closed-note").focus();  // the button that had the focus is gone
    } catch (error) {
      $("#close-error").textContent = problemText(error);
    }
  }));
}

/** The reporting deadline: set or move it; clearing it (or moving it later) reopens locked reports. */
function deadlineControls(round, reports, account) {
  const input = el("input", { id: "deadline", type: "datetime-local", "data-loc": "report_deadline" });
  if (round.report_deadline) {
    const d = new Date(round.report_deadline);
    input.value = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }
  const error = el("div", { class: "form-error", role: "alert", "aria-live": "assertive" });
  const save = async (value) => {
    error.textContent = "";
    try {
      const updated = await api(`/rounds/${round.id}/report-deadline`, { method: "PUT", json: { report_deadline: value } });
      Object.assign(round, updated);
      showMeta(round);
      flash(t(value ? "lifecycle.deadline_saved" : "lifecycle.deadline_cleared"));
    } catch (err) {
      error.textContent = problemText(err);
    }
  };
  const set = el("button", { type: "button", id: "set-deadline" }, t("lifecycle.deadline_set"));
  set.addEventListener("click", () => busy(set, async () => {
    if (!input.value) {
      error.textContent = t("lifecycle.deadline_required");
      return;
    }
    await save(new Date(input.value).toISOString());
  }));
  const reopen = el("button", { type: "button", id: "reopen-reports" }, t("lifecycle.deadline_clear"));
  reopen.addEventListener("click", () => busy(reopen, async () => {
    await save(null);
    input.value = "";
  }));
  $("#close-box").before(el("div", { class: "deadline-box", id: "deadline-box" },
    el("h3", {}, t("lifecycle.deadline_title")), el("p", { class: "hint" }, t("lifecycle.deadline_hint")), error,
    el("div", { class: "field" }, el("label", { for: "deadline" }, t("lifecycle.deadline_label")), input),
    el("div", { class: "actions" }, set, reopen)));
}

run(async () => {
  const account = await startPage();
  const id = pageData("round");
  const round = await api(`/rounds/${id}`);
  const [reports, jobs, proposals] = await Promise.all([
    api(`/rounds/${id}/reports`), api(`/rounds/${id}/jobs`), api(`/rounds/${id}/proposals`),
  ]);
  $("#round-title").textContent = pick(round.name);
  document.title = `${pick(round.name)} · ${t("app.name")}`;
  showMeta(round);
  showReports(round, reports, account);
  if (account.role === "coordinator") closeControls(round, reports, account);
  if (account.role === "coordinator" && round.status === "open") deadlineControls(round, reports, account);
  const params = new URLSearchParams(location.search);
  if (params.get("created")) {
    // Just opened from the form: say so once, and keep the address clean for bookmarks and reloads.
    flash(t("round.created"));
    params.delete("created");
    const rest = params.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}`);
  }

  const form = $("#job-form");
  if (account.role === "coordinator") {
    form.hidden = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const limit = number(form.time_limit_s.value);
      const gap = number(form.relative_gap.value);
      const problems = [];
      if (limit === null || limit <= 0) problems.push([["time_limit_s"], t("round.time_limit_invalid")]);
      if (gap === null || gap < 0 || gap > 1) problems.push([["relative_gap"], t("round.gap_invalid")]);
      if (problems.length) {
        showFormError(form, localError(problems));
        return;
      }
      await busy($("#request-plan"), async () => {
        try {
          const job = await api(`/rounds/${round.id}/jobs`, { method: "POST", json: { time_limit_s: limit, relative_gap: gap } });
          location.assign(`/jobs/${job.id}`);
        } catch (error) {
          showFormError(form, error);
        }
      });
    });
  }

  clear($("#jobs"), jobs.length
    ? table([t("job.number"), t("job.created"), t("job.status"), t("figures.objective"), ""], jobs.map((j) => el("tr", {},
      el("th", { scope: "row" }, `#${j.id}${j.replan_of ? ` ${t("job.replan")}` : ""}`),
      el("td", {}, fmtDateTime(j.created_at)),
      el("td", {}, badge("job", j.status)),
      el("td", { class: "num" }, fmtMoney(j.objective)),
      el("td", {}, j.status === "succeeded"
        ? el("a", { href: `/jobs/${j.id}/plan` }, t("job.view_plan"))
        : el("a", { href: `/jobs/${j.id}` }, t("job.view_progress"))))))
    : el("p", { class: "muted" }, t("round.no_jobs")));

  clear($("#proposals"), proposals.length
    ? table([t("proposal.version"), t("proposal.status"), t("proposal.created_at"), t("proposal.item_counts"), ""], proposals.map((p) => el("tr", {},
      el("th", { scope: "row" }, `v${p.version}`),
      el("td", {}, badge("proposal", p.status), p.final_status ? [" ", badge("final", p.final_status)] : null,
        (p.outdated_firms || []).length ? [" ", el("span", { class: "badge outdated", "data-outdated": p.id },
          t("lifecycle.outdated_badge", { firms: p.outdated_firms.map((f) => f.code).join("、") }))] : null),
      el("td", {}, fmtDateTime(p.created_at)),
      el("td", {}, t("proposal.counts", { pending: p.item_counts.pending || 0, confirmed: p.item_counts.confirmed || 0, declined: p.item_counts.declined || 0 })),
      el("td", {}, el("a", { href: `/proposals/${p.id}` }, t("proposal.open"))))))
    : el("p", { class: "muted" }, t("round.no_proposals")));
});
