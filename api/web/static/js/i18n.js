// UI strings come from the page (the server embeds the language's dictionary), never from this file.
const dictionary = JSON.parse(document.getElementById("i18n-data").textContent);

export const lang = document.documentElement.lang.toLowerCase().startsWith("en") ? "en" : "zh";
const locale = lang === "en" ? "en-GB" : "zh-CN";

/** The string for `key`, with `{name}` placeholders filled; the key itself when missing (visible, never blank). */
export function t(key, params = {}) {
  let text = dictionary[key];
  if (text === undefined) {
    console.warn(`missing UI string ${key}`);
    text = key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A key that may be missing: the translation, or `fallback`. */
export function tOr(key, fallback, params = {}) {
  return key in dictionary ? t(key, params) : fallback;
}

const CJK = /[\u3400-\u9fff\uff00-\uffef]/;

/**
 * The API writes messages as "中文 / English" (sometimes English first): show the half in the page's language.
 * Text that does not split into one Chinese and one non-Chinese half is shown whole.
 */
export function pick(text) {
  if (typeof text !== "string") return text == null ? "" : String(text);
  const parts = text.split(" / ");
  if (parts.length < 2) return text;
  // Split at the one " / " that separates a Chinese half from a non-Chinese half.
  for (let i = 1; i < parts.length; i++) {
    const left = parts.slice(0, i).join(" / ");
    const right = parts.slice(i).join(" / ");
    const leftZh = CJK.test(left);
    const rightZh = CJK.test(right);
    if (leftZh !== rightZh) {
      const zh = leftZh ? left : right;
      const en = leftZh ? right : left;
      if (lang === "en") return en;
      // Some messages carry the specifics (day, value) only in the English half: keep them in brackets.
      const digits = (text) => new Set(text.match(/\d+(?:\.\d+)?/g) || []);
      const zhDigits = digits(zh);
      return [...digits(en)].some((d) => !zhDigits.has(d)) ? `${zh}（${en}）` : zh;
    }
  }
  return text;
}

export function fmtNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function fmtMoney(value) {
  if (value === null || value === undefined) return "—";
  // The sign before the currency, as a true minus: "−¥14,765.33", never "¥-14,765.33".
  return value < 0 && fmtNumber(-value, 2) !== fmtNumber(0, 2) ? `\u2212¥${fmtNumber(-value, 2)}` : `¥${fmtNumber(Math.abs(value), 2)}`;
}

export function fmtPct(fraction, digits = 1) {
  if (fraction === null || fraction === undefined) return "—";
  return `${fmtNumber(fraction * 100, digits)}%`;
}

export function fmtDateTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** "第 3 天 12-10" / "day 3 (10 Dec)" for day `day` of a round that starts on `startIso`. */
export function dayDate(startIso, day) {
  if (!startIso) return "";
  const [y, m, d] = startIso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + day));
  return new Intl.DateTimeFormat(locale, { month: "2-digit", day: "2-digit", timeZone: "UTC" }).format(date);
}

/**
 * A plan day as people read it: its date ("12/03") when the round's start date is known, else "第 1 天" counting
 * from 1 (the model counts from 0; nobody else does).
 */
export function dayLabel(startIso, day) {
  return startIso ? dayDate(startIso, day) : t("days.day", { day: Number(day) + 1 });
}

/** "12月14日" / "14 December" for an ISO date. */
export function fmtLongDate(iso) {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

export function weekday(startIso, day) {
  if (!startIso) return "";
  const [y, m, d] = startIso.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + day));
  return new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(date);
}

// Display names of skills, processes and machines: the admin's catalogue, embedded by the server in every page.
const catalogueNode = document.getElementById("catalogue-data");
const catalogue = catalogueNode ? JSON.parse(catalogueNode.textContent) : { skill: {}, process: {}, machine: {} };

/** A code (skill, machine, status, ...) in words: the catalogue for skills, processes and machines, else the dictionary. */
export function term(group, code) {
  if (group in catalogue) {
    const names = catalogue[group];
    if (code in names) return names[code];
    if (group === "process" && code in catalogue.skill) return catalogue.skill[code];
    return code;
  }
  return tOr(`${group}.${code}`, code);
}
