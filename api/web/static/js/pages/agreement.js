// A confirmed item's agreement (帮工协议 / 委托加工协议), as the API words it, laid out for printing.
import { api } from "../api.js";
import { t } from "../i18n.js";
import { $, clear, pageData, run, startPage } from "../ui.js";

run(async () => {
  await startPage();
  const id = pageData("item");
  const response = await api(`/items/${id}/agreement?format=html`, { raw: true });
  // The document's own print styles stay out (the page's stylesheet lays it out): a parsed document keeps this
  // page's CSP, which allows no inline style, so they are cut before parsing.
  const html = (await response.text()).replace(/<style[\s\S]*?<\/style>/gi, "");
  // Parsed, never executed: DOMParser does not run scripts, and the API escapes every value.
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const node of doc.querySelectorAll("style, link, script")) node.remove();
  for (const node of doc.querySelectorAll("[style]")) node.removeAttribute("style");
  const article = $("#agreement");
  clear(article, ...Array.from(doc.body.childNodes).map((node) => document.adoptNode(node)));
  if (doc.title) document.title = `${doc.title} · ${t("app.name")}`;
  $("#print").addEventListener("click", () => window.print());
});
