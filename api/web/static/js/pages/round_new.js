// The coordinator opens a planning round: dates, skills and machines, the MODEL.md policy values (defaults filled in
// by the server from the domain's Policy). Local checks first, then the API's own errors next to the same fields.
import { api } from "../api.js";
import { dayDate, fmtLongDate, pick, t } from "../i18n.js";
import { $, $$, busy, clearErrors, localError, run, showFormError, startPage } from "../ui.js";

const DAY_MS = 24 * 3600 * 1000;
const MAX_DAYS = 366;

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return isoDay(new Date(Date.UTC(y, m - 1, d) + days * DAY_MS));
}

/** Next Monday (today if it is one), as an ISO date. */
function nextMonday() {
  const now = new Date();
  const today = new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()));
  const ahead = (8 - today.getUTCDay()) % 7;
  return isoDay(new Date(today.getTime() + ahead * DAY_MS));
}

/** Codes typed in a text box: separated by commas (also Chinese ones) or spaces. */
function codesOf(text) {
  return String(text).split(/[,，、;；\s]+/).map((s) => s.trim()).filter(Boolean);
}

function parseNumber(text, integer) {
  const clean = String(text).normalize("NFKC").trim().replace(/[,，]/g, "");
  if (clean === "" || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(clean)) return Number.NaN;
  const value = Number(clean);
  return integer && !Number.isInteger(value) ? Number.NaN : value;
}

function prefill(form, latest) {
  const known = (name) => new Set($$(`input[name=${name}]`, form).map((box) => box.value));
  const skills = known("skill");
  const machines = known("machine");
  if (latest) {
    // Continue where the alliance's latest round left off: same codes, the day after its last day (if not past).
    for (const box of $$("input[name=skill]", form)) box.checked = latest.skills.includes(box.value);
    for (const box of $$("input[name=machine]", form)) box.checked = latest.machines.includes(box.value);
    $("#other-skills").value = latest.skills.filter((c) => !skills.has(c)).join(", ");
    $("#other-machines").value = latest.machines.filter((c) => !machines.has(c)).join(", ");
    const after = addDays(latest.start_date, latest.horizon_days);
    $("#start-date").value = after >= isoDay(new Date()) ? after : nextMonday();
    $("#horizon-days").value = String(latest.horizon_days);
    const copied = $("#codes-copied");
    copied.textContent = t("round_new.copied", { name: pick(latest.name) });
    copied.hidden = false;
  } else {
    for (const box of $$("input[name=skill], input[name=machine]", form)) box.checked = true;
    $("#start-date").value = nextMonday();
    $("#horizon-days").value = "7";
  }
}

/** The request body and the problems found before sending it, as [loc, message] pairs. */
function collect(form) {
  const problems = [];
  const name = $("#round-name").value.trim();
  if (!name) problems.push([["name"], t("round_new.name_required")]);
  const start = $("#start-date").value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) problems.push([["start_date"], t("round_new.date_invalid")]);
  const days = parseNumber($("#horizon-days").value, true);
  if (!(days >= 1 && days <= MAX_DAYS)) problems.push([["horizon_days"], t("round_new.days_invalid", { max: MAX_DAYS })]);
  const codes = (boxName, otherName) => {
    const other = codesOf($(`#${otherName.replace("_", "-")}`).value);
    const long = other.filter((code) => code.length > 100);
    if (long.length) problems.push([[otherName], t("round_new.code_too_long", { code: long[0].slice(0, 20) })]);
    return [...$$(`input[name=${boxName}]:checked`, form).map((box) => box.value), ...other];
  };
  const skills = codes("skill", "other_skills");
  if (!skills.length) problems.push([["skills"], t("round_new.skills_required")]);
  const machines = codes("machine", "other_machines");
  const policy = {};
  for (const input of $$("input.policy-value", form)) {
    const integer = input.dataset.integer === "1";
    const value = parseNumber(input.value, integer);
    const loc = input.dataset.loc.split(".");
    if (input.name === "workday_minutes") {
      if (!(value > 0 && value <= 1440)) problems.push([loc, t("round_new.minutes_invalid")]);
    } else if (!(value >= 0)) {
      problems.push([loc, t(integer ? "round_new.integer_invalid" : "round_new.number_invalid")]);
    }
    // Only values set for this round are sent: the others stay inherited (alliance default, then model default).
    if (value !== Number(input.dataset.inherited)) policy[input.name] = value;
  }
  return { body: { name, start_date: start, horizon_days: days, skills, machines, policy }, problems };
}

/** Each policy box says where its value comes from: the alliance's default, the model's default, or this round. */
function showSource(input) {
  const value = parseNumber(input.value, input.dataset.integer === "1");
  const own = value !== Number(input.dataset.inherited);
  const box = $(`#policy-${input.name}-source`);
  box.textContent = own
    ? t("lifecycle.source_round_was", { value: input.dataset.inherited, source: t(`lifecycle.source_${input.dataset.source}`) })
    : t(`lifecycle.source_${input.dataset.source}`);
  box.dataset.source = own ? "round" : input.dataset.source;
}

function inheritPolicy(form, inherited) {
  for (const input of $$("input.policy-value", form)) {
    const value = inherited.policy[input.name];
    input.dataset.inherited = String(value);
    input.dataset.source = inherited.sources[input.name];
    input.value = String(value);
    showSource(input);
    input.addEventListener("input", () => showSource(input));
  }
}

function showSpan() {
  const days = parseNumber($("#horizon-days").value, true);
  const start = $("#start-date").value;
  const box = $("#round-span");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !(days >= 1 && days <= MAX_DAYS)) {
    box.textContent = "";
    return;
  }
  box.textContent = t("round.span", { start: dayDate(start, 0), end: dayDate(start, days - 1), days });
}

run(async () => {
  const account = await startPage();
  if (account.role !== "coordinator" || !account.alliance_id) {
    $("#page-error").textContent = t("round_new.only_coordinator");
    return;
  }
  const form = $("#round-form");
  const [rounds, inherited] = await Promise.all([
    api(`/alliances/${account.alliance_id}/rounds`), api(`/alliances/${account.alliance_id}/policy`)]);
  prefill(form, rounds[0] || null);
  inheritPolicy(form, inherited);

  // The name follows the dates until the coordinator types one.
  let nameTyped = false;
  const suggestName = () => {
    const days = parseNumber($("#horizon-days").value, true);
    if (!nameTyped && $("#start-date").value && days >= 1) {
      $("#round-name").value = t("round_new.default_name", { date: fmtLongDate($("#start-date").value), days });
    }
    showSpan();
  };
  $("#round-name").addEventListener("input", () => { nameTyped = $("#round-name").value.trim() !== ""; });
  $("#start-date").addEventListener("input", suggestName);
  $("#horizon-days").addEventListener("input", suggestName);
  suggestName();

  $("#reset-policy").addEventListener("click", () => {
    for (const input of $$("input.policy-value", form)) {
      input.value = input.dataset.inherited;
      showSource(input);
    }
  });

  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { body, problems } = collect(form);
    if (problems.length) {
      showFormError(form, localError(problems));
      return;
    }
    await busy($("#create-round"), async () => {
      try {
        const round = await api(`/alliances/${account.alliance_id}/rounds`, { method: "POST", json: body });
        location.assign(`/rounds/${round.id}?created=1`);
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
});
