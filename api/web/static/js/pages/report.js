// The capacity report of one firm for one round: workers and machine hours per day as editable grids
// (days are columns), backlog orders (add/remove), partners the firm will not work with; the Excel template.
import { ApiError, api, download } from "../api.js";
import { dayDate, dayLabel, fmtDateTime, pick, t, term, weekday } from "../i18n.js";
import { $, $$, busy, clear, clearErrors, el, flash, localError, pageData, problemText, run, showFormError, startPage } from "../ui.js";

const state = { round: null, enterprise: null, members: [], processes: [], orderSerial: 0 };

// ----- values -------------------------------------------------------------------------------------------------------

const perDay = (value, days) => (Array.isArray(value) ? value : Array(days).fill(value ?? 0));

/** Parse a cell: "" is 0 in a grid, null in an optional order field; NaN means "not a number". */
function parseNumber(text, { integer, empty }) {
  // NFKC: full-width digits and signs ("２", "－３", "１．５"), as Chinese input methods type them, become ASCII.
  const clean = String(text).normalize("NFKC").trim().replace(/[,，]/g, "").replace("。", ".");
  if (clean === "") return empty;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(clean)) return Number.NaN;
  const value = Number(clean);
  if (integer && !Number.isInteger(value)) return Number.NaN;
  return value;
}

// ----- the grids ----------------------------------------------------------------------------------------------------

function dayHeader(day) {
  const round = state.round;
  return el("th", { scope: "col", class: "num" },
    el("span", { class: "day-no" }, dayLabel(round.start_date, day)), el("br"),
    el("span", { class: "day-date" }, round.start_date ? weekday(round.start_date, day) : ""));
}

function cellId(loc) {
  return `cell-${loc.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** One grid row: a header, one input per day, a fill button; then its error row right below it. */
function gridRow(locBase, label, values, { integer }) {
  const days = state.round.horizon_days;
  const slotId = `err-${cellId(locBase)}`;
  const inputs = perDay(values, days).map((value, day) => {
    const loc = `${locBase}.${day}`;
    const id = cellId(loc);
    return el("td", {},
      el("label", { for: id, class: "visually-hidden" }, `${label} ${dayLabel(state.round.start_date, day)}`),
      el("input", {
        id, class: "cell", inputmode: integer ? "numeric" : "decimal", autocomplete: "off", value: String(value ?? 0),
        "data-loc": loc, "data-error-slot": slotId, "data-integer": integer ? "1" : "0", "data-day": day,
      }));
  });
  const fill = el("button", { type: "button", class: "fill-row", title: t("report.fill_row"), "aria-label": t("report.fill_row_label", { row: label }) }, "⇥");
  fill.addEventListener("click", (event) => {
    const cells = $$("input.cell", event.currentTarget.closest("tr"));
    for (const cell of cells.slice(1)) cell.value = cells[0].value;
    cells[0].focus();
  });
  return [
    el("tr", { "data-loc": locBase, "data-error-slot": slotId }, el("th", { scope: "row" }, el("span", {}, label), " ", fill), inputs),
    el("tr", { class: "error-row", hidden: true }, el("td", { colspan: days + 1 }, el("div", { class: "field-error", id: slotId }))),
  ];
}

function gridTable(caption, rows) {
  const days = [...Array(state.round.horizon_days).keys()];
  const tableNode = el("table", { class: "grid" },
    el("caption", { class: "visually-hidden" }, caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, caption), days.map(dayHeader))),
    el("tbody", {}, rows));
  tableNode.addEventListener("keydown", gridKeys);
  return tableNode;
}

/** Spreadsheet keys: arrows move between cells, Enter moves down (it does not submit from inside the grid). */
function gridKeys(event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.classList.contains("cell")) return;
  const row = input.closest("tr");
  const day = Number(input.dataset.day);
  const rows = $$("tr[data-loc]", input.closest("tbody"));
  const index = rows.indexOf(row);
  let target = null;
  const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
  const atEnd = input.selectionStart === input.value.length;
  if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) target = rows[index + 1]?.querySelector(`input[data-day="${day}"]`);
  else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) target = rows[index - 1]?.querySelector(`input[data-day="${day}"]`);
  else if (event.key === "ArrowRight" && atEnd) target = row.querySelector(`input[data-day="${day + 1}"]`);
  else if (event.key === "ArrowLeft" && atStart) target = row.querySelector(`input[data-day="${day - 1}"]`);
  if (event.key === "Enter") event.preventDefault();
  if (target) {
    event.preventDefault();
    target.focus();
    target.select();
  }
}

function buildWorkers(payload) {
  const idle = (payload && payload.idle_workers) || {};
  // No lendable map means every idle worker consented (the API's default): show it as such.
  const lendable = payload && payload.lendable_workers ? payload.lendable_workers : idle;
  const rows = state.round.skills.flatMap((skill) => [
    ...gridRow(`idle_workers.${skill}`, `${term("skill", skill)} · ${t("report.idle")}`, idle[skill] ?? 0, { integer: true }),
    ...gridRow(`lendable_workers.${skill}`, `${term("skill", skill)} · ${t("report.lendable")}`,
      payload && payload.lendable_workers ? lendable[skill] ?? 0 : idle[skill] ?? 0, { integer: true }),
  ]);
  clear($("#workers-grid"), gridTable(t("report.workers_caption"), rows));
}

function buildMachines(payload) {
  const hours = (payload && payload.spare_machine_hours) || {};
  if (!state.round.machines.length) {
    clear($("#machines-grid"), el("p", { class: "muted" }, t("report.no_machines")));
    return;
  }
  const rows = state.round.machines.flatMap((machine) => gridRow(`spare_machine_hours.${machine}`, term("machine", machine), hours[machine] ?? 0, { integer: false }));
  clear($("#machines-grid"), gridTable(t("report.machines_caption"), rows));
}

// ----- orders --------------------------------------------------------------------------------------------------------------

const ORDER_FIELDS = [
  // name, kind, required
  ["id", "text", true],
  ["process", "process", true],
  ["skill", "skill", true],
  ["quantity", "int", true],
  ["labor_minutes_per_unit", "float", true],
  ["machine", "machine", false],
  ["machine_hours_per_unit", "float", false],
  ["release_day", "day", false],
  ["due_day", "day", true],
  ["value_per_unit", "float", true],
  ["min_quality_level", "int", false],
  ["min_lot", "int", false],
  ["transport_cost_per_unit_km", "float", false],
  ["subcontractable", "bool", false],
];

function dayOptions(selected) {
  return [...Array(state.round.horizon_days).keys()].map((day) => el("option", { value: day, selected: Number(selected) === day },
    `${dayLabel(state.round.start_date, day)} ${weekday(state.round.start_date, day)}`));
}

function orderField(serial, name, kind, required, value) {
  const id = `order-${serial}-${name}`;
  const label = el("label", { for: id }, t(`order.${name}`), required ? el("span", { class: "required", "aria-hidden": "true" }, " *") : null);
  let input;
  if (kind === "skill") {
    input = el("select", { id, name }, state.round.skills.map((s) => el("option", { value: s, selected: value === s }, term("skill", s))));
  } else if (kind === "machine") {
    input = el("select", { id, name }, el("option", { value: "" }, t("order.no_machine")),
      state.round.machines.map((m) => el("option", { value: m, selected: value === m }, term("machine", m))));
  } else if (kind === "day") {
    input = el("select", { id, name }, dayOptions(value ?? (name === "due_day" ? state.round.horizon_days - 1 : 0)));
  } else if (kind === "bool") {
    input = el("input", { id, name, type: "checkbox", checked: value !== false });
    return el("div", { class: "field check" }, input, label);
  } else if (kind === "process") {
    // The firm's own processes and the round's skills (they share codes); an order may need a process the
    // owner does not run (it is then sub-contracted), so the choice is not limited to the firm's processes.
    const choices = [...new Set([...state.processes, ...state.round.skills, ...(value ? [value] : [])])];
    input = el("select", { id, name }, choices.map((p) => el("option", { value: p, selected: (value ?? state.processes[0]) === p }, term("process", p))));
  } else {
    const numeric = kind === "int" || kind === "float";
    input = el("input", {
      id, name, autocomplete: "off", value: value ?? "", required,
      inputmode: kind === "int" ? "numeric" : kind === "float" ? "decimal" : null,
      placeholder: !required && numeric ? t(`order.${name}_placeholder`) : null,
    });
  }
  return el("div", { class: "field" }, label, input);
}

function addOrder(order = {}, focus = false) {
  const serial = ++state.orderSerial;
  const fieldset = el("fieldset", { class: "order", "data-serial": serial },
    el("legend", {}, t("report.order_n", { n: "" })),
    el("div", { class: "order-fields" }, ORDER_FIELDS.map(([name, kind, required]) => {
      const value = name === "skill" && order.skill === undefined ? state.round.skills[0] : order[name];
      return orderField(serial, name, kind, required, value);
    })),
    el("button", { type: "button", class: "remove-order link-button danger-text" }, t("report.remove_order")));
  fieldset.querySelector(".remove-order").addEventListener("click", () => {
    const next = fieldset.nextElementSibling || fieldset.previousElementSibling;
    fieldset.remove();
    renumberOrders();
    (next ? next.querySelector("input, select") : $("#add-order")).focus();
    flash(t("report.order_removed"));
  });
  $("#orders").append(fieldset);
  renumberOrders();
  if (focus) fieldset.querySelector("input").focus();
}

/** Orders are sent in page order: keep each field's data-loc (orders.<index>.<field>) and legend in step. */
function renumberOrders() {
  $$("#orders fieldset.order").forEach((fieldset, index) => {
    fieldset.dataset.loc = `orders.${index}`;
    fieldset.querySelector("legend").textContent = t("report.order_n", { n: index + 1 });
    fieldset.querySelector(".remove-order").textContent = t("report.remove_order_n", { n: index + 1 });
    for (const [name] of ORDER_FIELDS) fieldset.querySelector(`[name="${name}"]`).dataset.loc = `orders.${index}.${name}`;
  });
  $("#no-orders").hidden = $$("#orders fieldset.order").length > 0;
}

// ----- blocked partners -------------------------------------------------------------------------------------------------

function buildBlocked(payload) {
  const blocked = new Set((payload && payload.blocked_partners) || []);
  const box = $("#blocked");
  $$("label, .field-error, p", box).forEach((node) => node.remove());
  const others = state.members.filter((m) => m.id !== state.enterprise.id);
  if (!others.length) box.append(el("p", { class: "muted" }, t("report.no_partners")));
  for (const member of others) {
    const id = `blocked-${member.code}`;
    box.append(el("label", { for: id, class: "check" },
      el("input", { type: "checkbox", id, name: "blocked", value: member.code, checked: blocked.has(member.code) }),
      ` ${member.code} ${member.name}`));
  }
}

// ----- the payload ----------------------------------------------------------------------------------------------------

/** The report as the API wants it, or the list of fields that are not numbers (shown before anything is sent). */
function collect() {
  const problems = [];
  const grid = (prefix, integer) => {
    const out = {};
    for (const row of $$(`#report-form tr[data-loc^="${prefix}."]`)) {
      const key = row.dataset.loc.slice(prefix.length + 1);
      const values = $$("input.cell", row).map((input) => {
        const value = parseNumber(input.value, { integer, empty: 0 });
        if (Number.isNaN(value)) problems.push([input.dataset.loc.split("."), t(integer ? "report.need_integer" : "report.need_number", { value: input.value })]);
        return value;
      });
      // A row of zeros says nothing the API does not assume: leave it out.
      if (values.some((v) => v !== 0)) out[key] = values;
    }
    return out;
  };
  const payload = {
    idle_workers: grid("idle_workers", true),
    lendable_workers: grid("lendable_workers", true),
    spare_machine_hours: grid("spare_machine_hours", false),
    orders: [],
    blocked_partners: $$("#blocked input[name=blocked]:checked").map((box) => box.value),
    note: $("#note").value.trim() || null,
  };
  $$("#orders fieldset.order").forEach((fieldset, index) => {
    const order = {};
    for (const [name, kind, required] of ORDER_FIELDS) {
      const input = fieldset.querySelector(`[name="${name}"]`);
      const loc = ["orders", index, name];
      if (kind === "bool") {
        order[name] = input.checked;
      } else if (kind === "day") {
        order[name] = Number(input.value);
      } else if (kind === "int" || kind === "float") {
        const value = parseNumber(input.value, { integer: kind === "int", empty: null });
        if (Number.isNaN(value)) problems.push([loc, t(kind === "int" ? "report.need_integer" : "report.need_number", { value: input.value })]);
        else if (value === null && required) problems.push([loc, t("report.required")]);
        else if (value !== null) order[name] = value;
      } else {
        const value = input.value.trim();
        if (!value && required) problems.push([loc, t("report.required")]);
        else if (value) order[name] = value;
      }
    }
    if (order.machine === undefined) order.machine = null;
    payload.orders.push(order);
  });
  return { payload, problems };
}

// ----- loading --------------------------------------------------------------------------------------------------------------

function fill(payload) {
  buildWorkers(payload);
  buildMachines(payload);
  $("#orders").replaceChildren();
  for (const order of (payload && payload.orders) || []) addOrder(order);
  renumberOrders();
  buildBlocked(payload);
  $("#note").value = (payload && payload.note) || "";
}

function showContext(report) {
  const round = state.round;
  $("#report-context").replaceChildren(
    el("strong", {}, `${state.enterprise.code} ${state.enterprise.name}`), ` · ${pick(round.name)} · `,
    t("round.span", { start: dayDate(round.start_date, 0), end: dayDate(round.start_date, round.horizon_days - 1), days: round.horizon_days }),
    " · ",
    report
      ? el("span", { class: "badge ok", id: "report-version" }, t("report.current_version", { version: report.version, at: fmtDateTime(report.created_at) }))
      : el("span", { class: "badge warn", id: "report-version" }, t("report.not_yet")));
}

async function findOpenRound() {
  for (const alliance of await api("/alliances")) {
    const rounds = await api(`/alliances/${alliance.id}/rounds`);
    const open = rounds.filter((r) => r.status === "open").sort((a, b) => b.id - a.id);
    if (open.length) return open[0];
  }
  return null;
}

run(async () => {
  const account = await startPage();
  const roundId = pageData("round");
  state.round = roundId ? await api(`/rounds/${roundId}`) : await findOpenRound();
  if (!state.round) {
    $("#page-error").textContent = t("report.no_open_round");
    return;
  }
  const enterpriseId = Number(pageData("enterprise") || account.enterprise_id);
  if (!enterpriseId) {
    $("#page-error").textContent = t("report.no_firm");
    return;
  }
  state.members = await api(`/alliances/${state.round.alliance_id}/enterprises`);
  state.enterprise = state.members.find((m) => m.id === enterpriseId) || (await api(`/enterprises/${enterpriseId}`));
  try {
    const full = await api(`/enterprises/${enterpriseId}`);
    state.processes = full.processes || [];
  } catch {
    state.processes = [];
  }

  let latest = null;
  try {
    latest = await api(`/rounds/${state.round.id}/reports/${enterpriseId}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  showContext(latest);
  fill(latest && latest.payload);

  const form = $("#report-form");
  form.hidden = false;
  $("#files").hidden = false;
  if (state.round.status !== "open") {
    $("#page-error").textContent = t("report.round_closed");
    for (const control of $$("input, select, textarea, button", form)) control.disabled = true;
    $("#upload-submit").disabled = true;
  }
  const base = `/rounds/${state.round.id}/reports/${enterpriseId}`;

  $("#add-order").addEventListener("click", () => addOrder({}, true));

  $("#check-report").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    clearErrors(form);
    const { payload, problems } = collect();
    if (problems.length) {
      showFormError(form, localError(problems));
      return;
    }
    try {
      await api(`${base}/validate`, { method: "POST", json: payload });
      flash(t("report.check_ok"));
    } catch (error) {
      showFormError(form, error);
    }
  }));

  // Edits not yet submitted: leaving the page (a link, closing the tab) asks first.
  let edited = false;
  form.addEventListener("input", (event) => {
    edited = true;
    const box = event.target;
    if (!event.isComposing && box.matches("input.cell, input[inputmode]") && box.value !== box.value.normalize("NFKC")) {
      box.value = box.value.normalize("NFKC");
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (!edited) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // Ctrl+Enter submits from anywhere in the form (the grids hold hundreds of boxes before the button).
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("#skip-to-submit").addEventListener("click", (event) => {
    event.preventDefault();
    $("#submit-report").focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { payload, problems } = collect();
    if (problems.length) {
      showFormError(form, localError(problems));
      return;
    }
    await busy($("#submit-report"), async () => {
      try {
        const saved = await api(base, { method: "PUT", json: payload });
        edited = false;
        showContext(saved);
        flash(t("report.saved", { version: saved.version }));
      } catch (error) {
        showFormError(form, error);
      }
    });
  });

  $("#download-template").addEventListener("click", (event) => busy(event.currentTarget, async () => {
    try {
      await download(`${base}/template?format=xlsx`, `report-${state.round.id}-${state.enterprise.code}.xlsx`);
    } catch (error) {
      flash(problemText(error), "error");
    }
  }));

  const upload = $("#upload-form");
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(upload);
    const files = $("#upload-file").files;
    if (!files.length) {
      showFormError(upload, localError([[["files"], t("report.choose_file")]]));
      return;
    }
    const body = new FormData();
    for (const file of files) body.append("files", file);
    await busy($("#upload-submit"), async () => {
      try {
        const result = await api(`${base}/import`, { method: "POST", form: body });
        fill(result.report.payload);
        showContext(result.report);
        // The API names sheets "工人 workers": say each in the page's language only.
        const sheetName = (title) => {
          const key = ["workers", "machines", "orders", "blocked"].find((k) => title.split(/\s+/).includes(k));
          return key ? t(`report.sheet_${key}`) : title;
        };
        flash(t("report.imported", { version: result.report.version, sheets: result.sheets.map(sheetName).join(t("report.sheet_sep")) }));
        upload.reset();
      } catch (error) {
        showFormError(upload, error);
      }
    });
  });
});
