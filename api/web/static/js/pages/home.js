// Home: what needs doing, per role.
import { api } from "../api.js";
import { dayDate, fmtDateTime, fmtMoney, pick, t } from "../i18n.js";
import { sortItems } from "../itemview.js";
import { $, badge, clear, el, run, startPage, table } from "../ui.js";

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
    if (proposal.status === "approved" && proposal.item_counts.declined) {
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
      el("td", {}, s.proposals.length ? badge("proposal", s.proposals[0].status) : "—")));
    const todos = summaries.flatMap((s) => coordinatorTodos(s).map((item) => {
      item.prepend(el("strong", {}, `${pick(s.round.name)}: `));
      return item;
    }));
    sections.push(card(pick(alliance.name),
      el("h3", {}, t("home.todo")), todo(todos),
      el("h3", {}, t("home.rounds")),
      rounds.length
        ? el("div", { class: "table-scroll" }, table(
          [t("round.name"), t("round.dates"), t("round.status"), t("round.reported"), t("round.latest_proposal")], rows))
        : el("p", { class: "muted" }, t("home.no_rounds"))));
  }
  clear(root, sections.length ? sections : el("p", { class: "muted" }, t("home.no_alliance")));
}

// ----- guide ----------------------------------------------------------------------------------------------------------------

async function guideHome(account, root) {
  const data = await alliancesWithRounds();
  const queue = [];
  const history = [];
  for (const { alliance, rounds } of data) {
    for (const round of rounds) {
      for (const proposal of await api(`/rounds/${round.id}/proposals`)) {
        const where = `${pick(alliance.name)} · ${pick(round.name)}`;
        if (proposal.status === "submitted") queue.push({ where, proposal });
        for (const review of proposal.reviews) history.push({ where, proposal, review });
      }
    }
  }
  history.sort((a, b) => (a.review.at < b.review.at ? 1 : -1));
  const queueRows = queue.map(({ where, proposal }) => el("tr", {},
    el("td", {}, where),
    el("td", { class: "num" }, `v${proposal.version}`),
    el("td", {}, fmtDateTime(proposal.submitted_at)),
    el("td", { class: "num" }, fmtMoney(proposal.summary.objective)),
    el("td", { class: "num" }, String(proposal.summary.subcontracts ?? "—")),
    el("td", { class: "num" }, String(proposal.summary.loans ?? "—")),
    el("td", {}, el("a", { class: "button primary", href: `/proposals/${proposal.id}` }, t("home.review")))));
  const historyRows = history.map(({ where, proposal, review }) => el("tr", {},
    el("td", {}, fmtDateTime(review.at)),
    el("td", {}, el("a", { href: `/proposals/${proposal.id}` }, `${where} · v${proposal.version}`)),
    el("td", {}, badge("decision", review.decision)),
    el("td", {}, review.comment || "—")));
  clear(root,
    el("section", { class: "card", id: "review-queue" }, el("h2", {}, t("home.queue", { n: queue.length })),
      queue.length
        ? el("div", { class: "table-scroll" }, table([t("home.where"), t("proposal.version"), t("proposal.submitted_at"),
          t("figures.objective"), t("figures.subcontracts"), t("figures.loans"), ""], queueRows))
        : el("p", { class: "muted" }, t("home.queue_empty"))),
    el("section", { class: "card", id: "review-history" }, el("h2", {}, t("home.history")),
      history.length
        ? el("div", { class: "table-scroll" }, table([t("review.at"), t("home.proposal"), t("review.decision"), t("review.comment")], historyRows))
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
