// Small DOM helpers shared by the pages: element builder, page chrome, messages, field errors.
import { ApiError, me, requireToken, signOut } from "./api.js";
import { pick, t, term } from "./i18n.js";

/** el("a", {href: "/x", class: "button"}, "text", child, ...): attributes starting with "on" become listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  node.removeAttribute("aria-busy");
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function pageData(name) {
  return document.body.dataset[name] || "";
}

// ----- page chrome -------------------------------------------------------------------------------------------------

const NAV = {
  enterprise: [["/home", "nav.home"], ["/report", "nav.report"], ["/items", "nav.items"], ["/execution", "nav.execution"],
    ["/settlement", "nav.settlement"], ["/notice", "nav.notice"], ["/county/offers", "nav.county_offers"]],
  coordinator: [["/home", "nav.home"], ["/rounds/new", "nav.new_round"], ["/execution", "nav.execution"],
    ["/settlement", "nav.settlement"], ["/notice", "nav.notice"], ["/outcomes", "nav.outcomes"], ["/county", "nav.county"]],
  guide: [["/home", "nav.reviews"], ["/execution", "nav.execution"], ["/settlement", "nav.settlement"],
    ["/notice", "nav.notice"], ["/outcomes", "nav.outcomes"], ["/county", "nav.county"]],
  admin: [["/home", "nav.home"], ["/admin/catalogue", "catalogue.nav"], ["/county/tree", "nav.county_tree"], ["/docs", "nav.api_docs"]],
};

/** Every signed-in page starts here: token or sign-in, the account, the navigation for its role. */
export async function startPage() {
  requireToken();
  const account = await me();
  const nav = $("#nav");
  clear(nav, (NAV[account.role] || []).map(([href, key]) => {
    const link = el("a", { href }, t(key));
    if (location.pathname === href) link.setAttribute("aria-current", "page");
    return link;
  }));
  // Every page, the home page first, shows the unread count of the account's inbox (issue 14).
  const inboxLink = el("a", { href: "/inbox", id: "inbox-link" }, t("inbox.nav"), " ",
    el("span", { id: "inbox-count", class: "badge warn" }, "…"));
  if (location.pathname === "/inbox") inboxLink.setAttribute("aria-current", "page");
  nav.append(inboxLink);
  import("./api.js").then(({ api }) => api("/me/inbox")).then((box) => {
    $("#inbox-count").textContent = String(box.unread);
  }).catch(() => { $("#inbox-count").textContent = "?"; });
  const name = account.display_name ? pick(account.display_name) : account.username;
  const role = term("role", account.role);
  $("#who").textContent = name === role ? name : `${name} · ${role}`;
  const logout = $("#logout");
  logout.hidden = false;
  logout.addEventListener("click", () => {
    signOut();
    location.assign("/login");
  });
  return account;
}

/** Run a page's main function; any error ends up announced in #page-error. */
export async function run(main) {
  try {
    await main();
  } catch (error) {
    if (error && error.message === "not signed in") return;
    console.error(error);
    showPageError(error);
  }
}

export function problemText(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    const parts = [pick(error.problem.title || ""), pick(error.problem.detail || "")].filter(Boolean);
    return parts.join(t("common.colon")) || `HTTP ${error.status}`;
  }
  return String(error && error.message ? error.message : error);
}

export function showPageError(error) {
  const box = $("#page-error");
  if (!box) return;
  box.textContent = problemText(error);
  for (const busy of $$("[aria-busy=true]")) clear(busy);
}

let flashTimer = null;

/** A short confirmation, announced politely (role=status). */
export function flash(message, kind = "ok") {
  const box = $("#flash");
  box.className = `flash ${kind}`;
  box.textContent = message;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    box.textContent = "";
    box.className = "flash";
  }, 8000);
}

export function badge(group, status) {
  return el("span", { class: `badge ${group}-${status}` }, term(`status.${group}`, status));
}

// ----- field errors ----------------------------------------------------------------------------------------------------

/**
 * The API's `loc` paths as the `data-loc` of inputs: without the leading "body"/"query" and without the
 * names pydantic gives to the branches of a union (e.g. "constrained-int", "list[constrained-int]").
 */
export function normalizeLoc(loc) {
  const out = [];
  for (const part of loc || []) {
    if (out.length === 0 && (part === "body" || part === "query" || part === "path")) continue;
    if (typeof part === "string" && (/[[\]]/.test(part) || /^(constrained|function|lax|strict)-/.test(part))) continue;
    out.push(part);
  }
  return out;
}

function findTarget(form, loc) {
  for (let n = loc.length; n > 0; n--) {
    const key = loc.slice(0, n).join(".");
    const target = form.querySelector(`[data-loc="${CSS.escape(key)}"]`);
    if (target) return target;
  }
  return null;
}

let errorSerial = 0;

function errorSlot(target) {
  const slotId = target.dataset.errorSlot;
  if (slotId && document.getElementById(slotId)) return document.getElementById(slotId);
  if (!["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) {
    // A group (fieldset, div): the message goes inside it, at its end.
    let slot = target.querySelector(":scope > .field-error");
    if (!slot) {
      slot = el("span", { class: "field-error", id: `field-error-${++errorSerial}` });
      target.append(slot);
    }
    return slot;
  }
  let slot = target.nextElementSibling;
  if (!(slot && slot.classList.contains("field-error"))) {
    slot = el("span", { class: "field-error", id: `field-error-${++errorSerial}` });
    target.after(slot);
  }
  return slot;
}

// pydantic's own messages (request checks) are English only: the common ones in the page's language, with the limit
// they name. The service's messages are bilingual already ("中文 / English") and only need pick().
const PYDANTIC = {
  greater_than_equal: "error.ge", greater_than: "error.gt", less_than_equal: "error.le", less_than: "error.lt",
  int_from_float: "error.integer", int_parsing: "error.integer", int_type: "error.integer",
  float_parsing: "error.number", float_type: "error.number", finite_number: "error.number",
  missing: "error.required", string_too_short: "error.too_short_text", too_short: "error.too_short",
  string_too_long: "error.too_long", date_parsing: "error.date", date_from_datetime_parsing: "error.date",
  date_type: "error.date", extra_forbidden: "error.extra", string_pattern_mismatch: "error.pattern",
};

export function fieldMessage(item) {
  const key = PYDANTIC[item.type];
  const msg = String(item.msg || "");
  if (!key || /[\u3400-\u9fff]/.test(msg)) return pick(msg);
  const limit = (msg.match(/-?\d+(?:\.\d+)?/) || [""])[0];
  return t(key, { limit });
}

/** Put `message` next to `target` and link it for screen readers. */
export function attachError(target, message) {
  const slot = errorSlot(target);
  if (!slot.id) slot.id = `field-error-${++errorSerial}`;
  const line = el("span", { class: "field-error-line" }, message);
  slot.append(line);
  slot.hidden = false;
  const row = slot.closest("tr.error-row");
  if (row) row.hidden = false;
  target.classList.add("invalid");
  if (["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) {
    target.setAttribute("aria-invalid", "true");
    const described = new Set((target.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
    described.add(slot.id);
    target.setAttribute("aria-describedby", [...described].join(" "));
  }
}

export function clearErrors(form) {
  for (const slot of $$(".field-error", form)) {
    slot.replaceChildren();
    if (slot.dataset.keep === undefined) slot.hidden = true;
  }
  for (const row of $$("tr.error-row", form)) row.hidden = true;
  for (const node of $$(".invalid", form)) {
    node.classList.remove("invalid");
    node.removeAttribute("aria-invalid");
  }
  const summary = $(".form-error", form);
  if (summary) summary.replaceChildren();
}

/**
 * Show an error on a form: each `errors[].loc` next to its input (`data-loc`), the rest and a summary in the
 * form's role="alert" box; focus moves to the first invalid input.
 */
export function showFormError(form, error, summaryBox = $(".form-error", form)) {
  clearErrors(form);
  const placed = [];
  const unplaced = [];
  const list = oneErrorPerField(error instanceof ApiError ? error.errors : error.errors || []);
  for (const item of list) {
    const loc = normalizeLoc(item.loc);
    const target = findTarget(form, loc);
    const message = fieldMessage(item);
    if (target) {
      attachError(target, message);
      placed.push(target);
    } else {
      // The import names a file, sheet, row and column for a person (item.where); never a raw path.
      const where = item.where ? pick(item.where) : loc.join(".") || item.field || "";
      unplaced.push(where ? `${where}：${message}` : message);
    }
  }
  if (summaryBox) {
    const omitted = error?.problem?.errors_omitted || 0;
    const total = list.length + omitted;
    // "see the fields marked red" only when some field is marked red.
    const head = !list.length ? problemText(error)
      : placed.length ? t("form.errors", { n: total }) : t("form.errors_listed", { n: total });
    summaryBox.replaceChildren(el("p", {}, head));
    if (unplaced.length) summaryBox.append(el("ul", {}, unplaced.map((text) => el("li", {}, text))));
    if (omitted) summaryBox.append(el("p", {}, t("form.errors_more", { n: omitted })));
  }
  const first = placed.find((node) => typeof node.focus === "function" && node.tagName !== "TR");
  if (first) first.focus();
  else if (summaryBox) summaryBox.focus?.();
}

// A value that fails one branch of a union (a number or a list of numbers) gets an error from each branch:
// "−3" is both "not >= 0" and "not a list". A person made one mistake, so one message per field, the most telling.
const TYPE_ONLY = /_type$|^list_|^dict_|^model_/;

export function oneErrorPerField(list) {
  const byField = new Map();
  for (const item of list) {
    const key = normalizeLoc(item.loc).join(".");
    const kept = byField.get(key);
    if (!kept || (TYPE_ONLY.test(kept.type || "") && !TYPE_ONLY.test(item.type || ""))) byField.set(key, item);
  }
  // The other branch's complaint sits one level up ("idle_workers.glazing: not an integer" beside
  // "idle_workers.glazing.1: not >= 0"): the deeper, specific message is the one that helps.
  const keys = [...byField.keys()];
  return [...byField.entries()]
    .filter(([key, item]) => !(TYPE_ONLY.test(item.type || "") || /^int_|^float_/.test(item.type || ""))
      || !keys.some((other) => other !== key && other.startsWith(`${key}.`)))
    .map(([, item]) => item);
}

/** Client-side errors in the same shape as the API's: [{loc: [...], msg}]. */
export function localError(errors) {
  return { errors: errors.map(([loc, msg]) => ({ loc, msg })) };
}

/** Disable a button while `work` runs (no double submits), then restore it. */
export async function busy(button, work) {
  const previous = button.disabled;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = previous;
    button.removeAttribute("aria-busy");
  }
}

export function table(headers, rows, attrs = {}) {
  const { sortable, ...rest } = attrs;
  const node = el("table", rest,
    el("thead", {}, el("tr", {}, headers.map((h) => (h instanceof Node ? h : el("th", { scope: "col" }, h))))),
    el("tbody", {}, rows));
  if (sortable) makeSortable(node);
  return node;
}

const collator = new Intl.Collator(document.documentElement.lang, { numeric: true });

/** A long table sorts by any titled column: a button in each header, aria-sort says which way. */
export function makeSortable(node) {
  const heads = $$("thead th", node);
  heads.forEach((th, index) => {
    const label = th.textContent.trim();
    if (!label) return;
    const button = el("button", { type: "button", class: "sort-button" }, label);
    th.replaceChildren(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of heads) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const body = node.tBodies[0];
      const key = (tr) => (tr.children[index] ? tr.children[index].textContent.trim().replace(/[¥,−\s]/g, (c) => (c === "−" ? "-" : "")) : "");
      const sorted = Array.from(body.rows).sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const [nx, ny] = [Number.parseFloat(x), Number.parseFloat(y)];
        const order = !Number.isNaN(nx) && !Number.isNaN(ny) && /^-?[\d.]/.test(x) && /^-?[\d.]/.test(y) ? nx - ny : collator.compare(x, y);
        return ascending ? order : -order;
      });
      body.append(...sorted);
    });
  });
}

export function definitionList(pairs, attrs = { class: "figures" }) {
  return el("dl", attrs, pairs.map(([label, value]) => el("div", {}, el("dt", {}, label), el("dd", {}, value))));
}
