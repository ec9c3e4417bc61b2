// Execution records: the recording side enters each day (phone at the workshop door), the other side confirms
// or disputes, the coordinator decides disputes in writing; the plan against the actuals for everyone.
import { api } from "../api.js";
import { fmtDateTime, fmtPct, t } from "../i18n.js";
import { amountOf, dateOf, executionTitle, pickRound } from "../afterplan.js";
import { $, badge, busy, clear, clearErrors, definitionList, el, flash, localError, run, showFormError, startPage, table }
  from "../ui.js";

const num = (name, label, attrs = {}) => el("div", { class: "field" },
  el("label", { for: attrs.id }, label),
  el("input", { type: "number", min: 0, step: 1, inputmode: "numeric", name, "data-loc": name, ...attrs }));

function figuresOf(x, form) {
  return x.kind === "loan"
    ? { workers: Number(form.workers.value) }
    : { delivered: Number(form.delivered.value), accepted: Number(form.accepted.value) };
}

function figureInputs(x, prefix) {
  if (x.kind === "loan") return [num("workers", t("execution.workers"), { id: `${prefix}-workers`, required: true })];
  return [num("delivered", t("execution.delivered"), { id: `${prefix}-delivered`, required: true }),
    num("accepted", t("execution.accepted"), { id: `${prefix}-accepted`, required: true })];
}

function recordText(x, r) {
  if (x.kind === "loan") return `${t("execution.workers")} ${r.workers}`;
  return `${t("execution.delivered")} ${r.delivered} · ${t("execution.accepted")} ${r.accepted}`;
}

function claimedText(x, claimed) {
  return x.kind === "loan" ? `${claimed.workers}`
    : `${t("execution.delivered")} ${claimed.delivered} · ${t("execution.accepted")} ${claimed.accepted}`;
}

async function submit(form, event, work) {
  event.preventDefault();
  clearErrors(form);
  await busy(event.submitter || form, async () => {
    try {
      await work();
    } catch (error) {
      showFormError(form, error);
    }
  });
}

function recordForm(x, reload) {
  const id = `rec-${x.item_id}`;
  const days = [];
  for (let d = 0; d <= x.last_day; d += 1) days.push(el("option", { value: d }, dateOf(x, d)));
  const form = el("form", { class: "record-form", novalidate: true, "data-item": x.item_id },
    el("h4", {}, t("execution.record_form")),
    el("div", { class: "form-error", role: "alert" }),
    el("div", { class: "field" }, el("label", { for: `${id}-day` }, t("execution.day")),
      el("select", { id: `${id}-day`, name: "day", "data-loc": "day" }, days)),
    figureInputs(x, id),
    el("div", { class: "field" }, el("label", { for: `${id}-note` }, t("execution.note")),
      el("input", { id: `${id}-note`, name: "note", maxlength: 4000, "data-loc": "note" })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, t("execution.record"))));
  form.addEventListener("submit", (event) => submit(form, event, async () => {
    const body = { day: Number(form.day.value), note: form.note.value, ...figuresOf(x, form) };
    for (const k of Object.keys(figuresOf(x, form))) {
      if (form[k].value === "") throw localError([[[k], t("execution.required")]]);
    }
    await api(`/items/${x.item_id}/execution/records`, { method: "POST", json: body });
    flash(t("execution.recorded_flash", { date: dateOf(x, body.day) }));
    await reload();
  }));
  return form;
}

function answerForm(x, r, reload) {
  const id = `ans-${r.id}`;
  const form = el("form", { class: "answer-form", novalidate: true, "data-record": r.id },
    el("div", { class: "form-error", role: "alert" }),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary", value: "confirm" },
      t("execution.confirm"))),
    el("div", { class: "field" }, el("label", { for: `${id}-reason` }, t("execution.dispute_reason")),
      el("textarea", { id: `${id}-reason`, name: "reason", rows: 2, maxlength: 4000, "data-loc": "reason" })),
    el("fieldset", {}, el("legend", {}, t("execution.your_count")), figureInputs(x, id)),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "danger", value: "dispute" },
      t("execution.dispute"))));
  form.addEventListener("submit", (event) => submit(form, event, async () => {
    const answer = event.submitter ? event.submitter.value : "confirm";
    const body = { answer };
    if (answer === "dispute") {
      if (!form.reason.value.trim()) throw localError([[["reason"], t("execution.reason_required")]]);
      Object.assign(body, { reason: form.reason.value });
      // A dispute says what the answering side counted: the coordinator decides between the two.
      for (const [k, v] of Object.entries(figuresOf(x, form))) {
        if (form[k].value === "") throw localError([[[k], t("execution.required")]]);
        body[k] = v;
      }
    }
    await api(`/execution/records/${r.id}/answer`, { method: "POST", json: body });
    flash(t("execution.answered_flash"));
    await reload();
  }));
  return form;
}

function resolveForm(x, r, reload) {
  const id = `res-${r.id}`;
  const form = el("form", { class: "resolve-form", novalidate: true, "data-record": r.id },
    el("div", { class: "form-error", role: "alert" }),
    el("div", { class: "field" }, el("label", { for: `${id}-decision` }, t("execution.decision_label")),
      el("textarea", { id: `${id}-decision`, name: "decision", rows: 2, maxlength: 4000, "data-loc": "decision" })),
    figureInputs(x, id),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, t("execution.resolve"))));
  form.addEventListener("submit", (event) => submit(form, event, async () => {
    if (!form.decision.value.trim()) throw localError([[["decision"], t("execution.decision_required")]]);
    await api(`/execution/records/${r.id}/resolve`, { method: "POST",
      json: { decision: form.decision.value, ...figuresOf(x, form) } });
    flash(t("execution.resolved_flash"));
    await reload();
  }));
  return form;
}

function recordRow(x, r, account, reload) {
  const canAnswer = !x.locked && x.my_side === "answers" && r.status === "recorded";
  const canResolve = !x.locked && account.role === "coordinator" && r.status === "disputed";
  return el("li", { class: `record record-${r.status}`, "data-record": r.id },
    el("strong", {}, dateOf(x, r.day)), ` · ${recordText(x, r)} `, badge("record", r.status),
    r.note ? el("p", { class: "muted" }, r.note) : null,
    r.dispute_reason ? el("p", { class: "reason" }, `${t("execution.dispute_reason")}${t("common.colon")}${r.dispute_reason}`) : null,
    r.claimed ? el("p", {}, t("execution.claimed", { figures: claimedText(x, r.claimed) })) : null,
    r.decision ? el("p", { class: "decision" }, `${t("execution.decision")}${t("common.colon")}${r.decision} (${fmtDateTime(r.decided_at)})`) : null,
    canAnswer ? answerForm(x, r, reload) : null,
    canResolve ? resolveForm(x, r, reload) : null);
}

const SCORES = ["on_time", "quality", "cooperation"];

function ratingForm(x, reload) {
  const id = `rate-${x.item_id}`;
  const form = el("form", { class: "rating-form", novalidate: true, "data-item": x.item_id },
    el("h4", {}, t("rating.give")),
    el("div", { class: "form-error", role: "alert" }),
    SCORES.map((name) => el("div", { class: "field" },
      el("label", { for: `${id}-${name}` }, t(`rating.${name}`)),
      el("select", { id: `${id}-${name}`, name, "data-loc": name },
        [5, 4, 3, 2, 1].map((v) => el("option", { value: v }, `${v}`))))),
    el("div", { class: "field" }, el("label", { for: `${id}-comment` }, t("rating.comment")),
      el("textarea", { id: `${id}-comment`, name: "comment", rows: 2, maxlength: 4000, "data-loc": "comment" })),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, t("rating.submit"))));
  form.addEventListener("submit", (event) => submit(form, event, async () => {
    const body = { comment: form.comment.value };
    for (const name of SCORES) body[name] = Number(form[name].value);
    await api(`/items/${x.item_id}/ratings`, { method: "POST", json: body });
    flash(t("rating.given_flash"));
    await reload();
  }));
  return form;
}

function ratingsBox(x, account, ratings, reload) {
  const names = { [x.first_party.id]: x.first_party.name, [x.second_party.id]: x.second_party.name };
  const mine = account.role === "enterprise" && ratings.some((r) => r.rater_id === account.enterprise_id);
  return el("section", { class: "ratings", "aria-label": t("rating.title") },
    el("h4", {}, t("rating.title")),
    ratings.length ? el("ul", {}, ratings.map((r) => el("li", { "data-rating": r.id },
      t("rating.line", { rater: names[r.rater_id], ratee: names[r.ratee_id], on_time: r.on_time, quality: r.quality,
        cooperation: r.cooperation }), r.comment ? el("p", { class: "muted" }, r.comment) : null)))
      : el("p", { class: "muted" }, t("rating.none")),
    account.role === "enterprise" && !mine ? ratingForm(x, reload) : null);
}

function card(x, account, reload, ratings) {
  const figures = [[t("execution.planned"), amountOf(x, x.planned)], [t("execution.actual"), amountOf(x, x.actual)],
    [t("execution.difference"), String(x.difference)]];
  if (x.kind === "subcontract") {
    figures.push([t("execution.delivered"), String(x.delivered)], [t("execution.rejected"), String(x.rejected)],
      [t("execution.on_time"), `${x.delivered_on_time} · ${t("execution.due", { date: dateOf(x, x.due_day) })}`]);
  }
  const days = table([t("execution.day"), t("execution.day_planned"), t("execution.day_actual")],
    x.days.map((d) => el("tr", {}, el("td", {}, dateOf(x, d.day)), el("td", {}, d.planned),
      el("td", {}, d.actual === null ? "—" : d.actual))), { class: "days" });
  const mayRecord = !x.locked && !x.finished && x.my_side === "records";
  const mayFinish = !x.locked && !x.finished && (x.my_side === "records" || account.role === "coordinator");
  const finish = mayFinish ? el("button", { type: "button", class: "finish", onclick: async (event) => {
    await busy(event.target, async () => {
      try {
        await api(`/items/${x.item_id}/execution/finish`, { method: "POST" });
        flash(t("execution.finished_flash"));
        await reload();
      } catch (error) {
        flash(error.message, "error");
      }
    });
  } }, t("execution.finish")) : null;
  return el("article", { class: `card execution exec-${x.state}`, "data-item": x.item_id, "data-key": x.key },
    el("h3", {}, executionTitle(x), " ", badge("exec", x.state)),
    definitionList(figures),
    el("details", { open: true }, el("summary", {}, t("execution.plan_vs_actual")), days),
    el("h4", {}, t("execution.records")),
    x.records.length ? el("ul", { class: "records" }, x.records.map((r) => recordRow(x, r, account, reload)))
      : el("p", { class: "muted" }, t("execution.no_records")),
    x.locked ? el("p", { class: "notice" }, t("execution.locked")) : null,
    mayRecord ? recordForm(x, reload) : null,
    ratings ? ratingsBox(x, account, ratings, reload) : null,
    el("div", { class: "actions" }, finish,
      el("a", { class: "button", href: `/settlement?round=${x.round_id}` }, t("execution.to_settlement"))));
}

async function firmAlliance() {
  const alliances = await api("/alliances");
  return alliances.length ? alliances[0].id : null;
}

const share = (v) => (v === null ? "—" : fmtPct(v));

function reliabilityTable(rows) {
  return el("section", { class: "card", id: "reliability", "aria-labelledby": "reliability-h" },
    el("h2", { id: "reliability-h" }, t("reliability.title")),
    el("p", { class: "hint" }, t("reliability.hint")),
    el("div", { class: "table-scroll" }, table([t("settlement.enterprise"), t("reliability.worker_day_share"),
      t("reliability.unit_share"), t("reliability.items"), t("reliability.average_rating"), t("reliability.reliability")],
    rows.map((r) => el("tr", { "data-enterprise": r.enterprise_id }, el("td", {}, r.enterprise),
      el("td", { class: "num" }, share(r.worker_day_share)), el("td", { class: "num" }, share(r.unit_share)),
      el("td", { class: "num" }, r.items),
      el("td", { class: "num" }, r.average_rating === null ? "—" : r.average_rating.toFixed(2)),
      el("td", { class: "num reliability" }, fmtPct(r.reliability)))))));
}

run(async () => {
  const account = await startPage();
  const root = $("#execution");
  let path = "/me/execution";
  let allianceId = null;
  if (account.role !== "enterprise") {
    const chosen = await pickRound($("#round-pick"), "/execution");
    if (!chosen) {
      clear(root, el("p", { class: "muted" }, t("execution.none")));
      return;
    }
    path = `/rounds/${chosen.round.id}/execution`;
    allianceId = chosen.alliance.id;
  }
  const reload = async () => {
    const list = await api(path);
    const done = (x) => x.state === "completed" || x.state === "short";
    const ratings = await Promise.all(list.map((x) => (done(x) ? api(`/items/${x.item_id}/ratings`) : null)));
    const alliance = allianceId || (account.role === "enterprise" && list.length ? await firmAlliance() : null);
    const figures = alliance ? await api(`/alliances/${alliance}/reliability`) : [];
    clear(root, list.length ? list.map((x, i) => card(x, account, reload, ratings[i])) : el("p", { class: "muted" }, t("execution.none")),
      figures.length ? reliabilityTable(figures) : null);
  };
  await reload();
});
