// Home: what needs doing, per role.
import { api } from "../api.js";
import { dayDate, fmtDateTime, fmtMoney, fmtPct, pick, t } from "../i18n.js";
import { sortItems } from "../itemview.js";
import { $, badge, clear, definitionList, el, run, startPage, table } from "../ui.js";

const card = (title, ...body) => el("section", { class: "card" }, el("h2", {}, title), ...body);
const todo = (items) => (items.length
  ? el("ul", { class: "todo" }, items)
  : el("p", { class: "muted" }, t("home.nothing_to_do")));

function roundSpan(round) {
  const last = dayDate(round.start_date, round.horizon_days - 1);
  return t("round.span", { start: dayDate(round.start_date, 0), end: last, days: round.horizon_days });
}

async function alliancesWithRounds() {
  const alliances = await api("/alliances");
  return Promise.all(alliances.map(async (alliance) => ({
    alliance,
    rounds: await api(`/alliances/${alliance.id}/rounds`),
  })));
}

// ----- enterprise clerk -----------------------------------------------------------------------------------------------

async function enterpriseHome(account, root) {
  const [data, items] = await Promise.all([alliancesWithRounds(), api("/me/items")]);
  const reportTodos = [];
  for (const { alliance, rounds } of data) {
    for (const round of rounds.filter((r) => r.status === "open")) {
      const status = await api(`/rounds/${round.id}/reports`);
      const mine = status.find((s) => s.enterprise.id === account.enterprise_id);
      const done = mine && mine.latest_version;
      reportTodos.push(el("li", { class: done ? "done" : "due" },
        el("strong", {}, pick(round.name)), ` · ${pick(alliance.name)} · ${roundSpan(round)} `,
        done
          ? el("span", { class: "badge ok" }, t("home.report_submitted", { version: mine.latest_version, at: fmtDateTime(mine.submitted_at) }))
          : el("span", { class: "badge warn" }, t("home.report_due")),
        " ",
        el("a", { class: "button primary", href: `/report?round=${round.id}` }, done ? t("home.report_correct") : t("home.report_fill"))));
    }
  }
  const groups = sortItems(items, account.enterprise_id);
  const itemTodos = [];
  if (groups.mine.length) {
    itemTodos.push(el("li", { class: "due" }, el("span", { class: "badge warn" }, t("home.items_mine", { n: groups.mine.length })), " ",
      el("a", { class: "button primary", href: "/items" }, t("home.items_answer"))));
  }
  if (groups.theirs.length) itemTodos.push(el("li", {}, t("home.items_theirs", { n: groups.theirs.length })));
  if (groups.confirmed.length) {
    itemTodos.push(el("li", { class: "done" }, t("home.items_confirmed", { n: groups.confirmed.length }), " ",
      el("a", { href: "/items#confirmed" }, t("home.items_agreements"))));
  }
  if (groups.declined.length) itemTodos.push(el("li", {}, t("home.items_declined", { n: groups.declined.length })));
  // One line per proposal whose items are all answered: settled, or waiting for the coordinator's re-plan.
  const finals = new Map();
  for (const item of items) if (["settled", "needs_replan"].includes(item.proposal_final_status)) finals.set(item.proposal_id, item);
  for (const item of finals.values()) {
    itemTodos.push(el("li", { class: item.proposal_final_status === "settled" ? "done" : "" }, badge("final", item.proposal_final_status), " ",
      t(`lifecycle.home_firm_${item.proposal_final_status}`, { version: item.proposal_version })));
  }
  clear(root,
    card(t("home.reports"), reportTodos.length ? todo(reportTodos) : el("p", { class: "muted" }, t("home.no_open_round"))),
    card(t("home.items"), todo(itemTodos)));
}

// ----- coordinator (and admin) ---------------------------------------------------------------------------------------

async function roundSummary(round) {
  const [reports, jobs, proposals] = await Promise.all([
    api(`/rounds/${round.id}/reports`), api(`/rounds/${round.id}/jobs`), api(`/rounds/${round.id}/proposals`),
  ]);
  return { round, reports, jobs, proposals };
}

function coordinatorTodos(summary) {
  const { round, reports, jobs, proposals } = summary;
  const todos = [];
  const missing = reports.filter((r) => !r.latest_version);
  const board = `/rounds/${round.id}`;
  if (round.status === "open" && missing.length) {
    todos.push(el("li", { class: "due" }, t("home.firms_missing", { n: missing.length, total: reports.length })));
  }
  const running = jobs.filter((j) => j.status === "queued" || j.status === "running");
  for (const job of running) {
    todos.push(el("li", {}, t("home.job_running", { id: job.id }), " ", el("a", { href: `/jobs/${job.id}` }, t("home.watch"))));
  }
  const proposalJobs = new Set(proposals.map((p) => p.job_id));
  const fresh = jobs.filter((j) => j.status === "succeeded" && !proposalJobs.has(j.id));
  if (fresh.length) {
    const job = fresh[0];
    todos.push(el("li", { class: "due" }, t("home.plan_ready", { id: job.id }), " ",
      el("a", { class: "button primary", href: `/jobs/${job.id}/plan` }, t("home.view_plan"))));
  }
  for (const proposal of proposals) {
    const link = el("a", { href: `/proposals/${proposal.id}` }, t("home.open_proposal", { version: proposal.version }));
    if (proposal.status === "draft") todos.push(el("li", { class: "due" }, t("home.proposal_draft", { version: proposal.version }), " ", link));
    if (proposal.status === "rejected") todos.push(el("li", { class: "due" }, t("home.proposal_rejected", { version: proposal.version }), " ", link));
    if (proposal.status === "submitted") todos.push(el("li", {}, t("home.proposal_submitted", { version: proposal.version }), " ", link));
    if (proposal.final_status === "settled" && proposal === proposals.find((p) => p.status === "approved")) {
      todos.push(el("li", { class: "done" }, badge("final", "settled"), " ", t("lifecycle.home_settled", { version: proposal.version }), " ", link));
    } else if (proposal.status === "approved" && proposal.item_counts.declined) {
      todos.push(el("li", { class: "due" }, t("home.proposal_declined", { version: proposal.version, n: proposal.item_counts.declined }), " ", link));
    }
  }
  if (!todos.length && round.status === "open" && !jobs.length) {
    todos.push(el("li", { class: "due" }, t("home.request_first_plan"), " ", el("a", { class: "button primary", href: board }, t("home.open_board"))));
  }
  return todos;
}

async function coordinatorHome(account, root) {
  const data = await alliancesWithRounds();
  const sections = [];
  for (const { alliance, rounds } of data) {
    const summaries = await Promise.all(rounds.map(roundSummary));
    const rows = summaries.map((s) => el("tr", {},
      el("th", { scope: "row" }, el("a", { href: `/rounds/${s.round.id}` }, pick(s.round.name))),
      el("td", {}, roundSpan(s.round)),
      el("td", {}, badge("round", s.round.status)),
      el("td", { class: "num" }, `${s.reports.filter((r) => r.latest_version).length} / ${s.reports.length}`),
      el("td", {}, s.proposals.length
        ? [badge("proposal", s.proposals[0].status), s.proposals[0].final_status ? [" ", badge("final", s.proposals[0].final_status)] : null]
        : "—")));
    const todos = summaries.flatMap((s) => coordinatorTodos(s).map((item) => {
      item.prepend(el("strong", {}, `${pick(s.round.name)}: `));
      return item;
    }));
    sections.push(card(pick(alliance.name),
      el("h3", {}, t("home.todo")), todo(todos),
      el("h3", {}, t("home.rounds")),
      account.role === "coordinator"
        ? el("p", {}, el("a", { class: "button", href: "/rounds/new", id: "new-round" }, t("home.new_round")), " ",
          el("a", { class: "button", href: "/alliance/policy", id: "alliance-policy" }, t("lifecycle.policy_title")))
        : null,
      rounds.length
        ? el("div", { class: "table-scroll" }, table(
          [t("round.name"), t("round.dates"), t("round.status"), t("round.reported"), t("round.latest_proposal")], rows))
        : el("p", { class: "muted" }, t("home.no_rounds"))));
  }
  clear(root, sections.length ? sections : el("p", { class: "muted" }, t("home.no_alliance")));
}

// ----- guide ----------------------------------------------------------------------------------------------------------------

// Two calls, whatever the number of alliances and rounds: the queue and the history come ready from the API.
function queueCard(entry) {
  const f = entry.figures;
  const changes = f.changes;
  return el("article", { class: "queue-entry", "data-proposal": entry.proposal_id },
    el("h3", { id: `queue-${entry.proposal_id}` }, `${pick(entry.round.name)} · ${t("proposal.heading", { version: entry.version })}`, " ",
      entry.earlier_decisions ? el("span", { class: "badge warn" }, t("home.resubmitted")) : null),
    el("p", { class: "muted" }, `${pick(entry.alliance.name)} · ${roundSpan(entry.round)}`, el("br"),
      t("home.submitted_at", { at: fmtDateTime(entry.submitted_at) })),
    definitionList([
      [t("figures.objective"), fmtMoney(f.objective)],
      [t("home.share_cleared"), fmtPct(f.share_cleared)],
      [t("figures.subcontracts"), String(f.subcontracts)],
      [t("figures.loans"), String(f.loans)],
    ], { class: "figures compact" }),
    changes ? el("p", { class: "hint" }, t("home.changes", changes)) : null,
    entry.since_rejected ? el("p", { class: "notice since-rejected" }, t("lifecycle.since_rejected", { version: entry.since_rejected.rejected_version }), " ",
      t("home.changes", { added: entry.since_rejected.added.length, changed: entry.since_rejected.changed.length, removed: entry.since_rejected.removed.length })) : null,
    entry.outdated_firms.length ? el("p", { class: "notice error outdated-note" }, t("lifecycle.queue_outdated", { firms: entry.outdated_firms.join("、") })) : null,
    // Every card has a "review" link: the heading tells a screen reader which proposal this one opens.
    el("a", { class: "button primary", href: `/proposals/${entry.proposal_id}`, "aria-describedby": `queue-${entry.proposal_id}` }, t("home.review")));
}

async function guideHome(account, root) {
  const [queue, history] = await Promise.all([api("/reviews/queue"), api("/reviews/history?limit=50")]);
  const historyRows = history.map((h) => el("tr", { "data-review": h.id },
    el("td", {}, fmtDateTime(h.at)),
    el("th", { scope: "row" }, el("a", { href: `/proposals/${h.proposal_id}` },
      `${pick(h.round.name)} · v${h.version}`), el("br"), el("small", { class: "muted" }, pick(h.alliance.name))),
    el("td", {}, badge("decision", h.decision)),
    el("td", { class: "comment" }, h.comment || "—"),
    el("td", {}, badge("proposal", h.proposal_status))));
  clear(root,
    el("section", { class: "card", id: "review-queue" }, el("h2", {}, t("home.queue", { n: queue.length })),
      queue.length
        ? el("div", { class: "queue" }, queue.map(queueCard))
        : el("p", { class: "muted" }, t("home.queue_empty"))),
    el("section", { class: "card", id: "review-history" }, el("h2", {}, t("home.history")),
      history.length
        ? el("div", { class: "table-scroll" }, table([t("review.at"), t("home.proposal"), t("review.decision"),
          t("review.comment"), t("home.status_now")], historyRows))
        : el("p", { class: "muted" }, t("home.history_empty"))));
}

run(async () => {
  const account = await startPage();
  const root = $("#home");
  $("#home-title").textContent = t(`home.title_${account.role}`);
  document.title = `${t(`home.title_${account.role}`)} · ${t("app.name")}`;
  if (account.role === "enterprise") await enterpriseHome(account, root);
  else if (account.role === "guide") await guideHome(account, root);
  else await coordinatorHome(account, root);
});
