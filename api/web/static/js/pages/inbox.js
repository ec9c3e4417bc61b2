// The in-app inbox: newest first, unread marked; opening a message's link marks it read.
import { api } from "../api.js";
import { fmtDateTime, lang, t } from "../i18n.js";
import { $, busy, clear, el, run, startPage } from "../ui.js";

run(async () => {
  await startPage();
  const root = $("#inbox");
  const reload = async () => {
    const box = await api("/me/inbox");
    const counter = $("#inbox-count");
    if (counter) counter.textContent = String(box.unread);
    clear(root,
      el("p", { id: "unread" }, t("inbox.unread", { n: box.unread }), " ",
        box.unread ? el("button", { type: "button", id: "read-all", onclick: (e) => busy(e.target, async () => {
          await api("/me/inbox/read-all", { method: "POST" });
          await reload();
        }) }, t("inbox.read_all")) : null),
      box.messages.length ? el("ul", { class: "records inbox" }, box.messages.map((m) => el("li", {
        class: m.read_at ? "read" : "unread", "data-message": m.id },
      el("strong", {}, lang === "en" ? m.text_en : m.text_zh), ` · ${fmtDateTime(m.created_at)} `,
      m.link ? el("a", { href: m.link, onclick: () => api(`/me/inbox/${m.id}/read`, { method: "POST" }) }, t("inbox.open")) : null)))
        : el("p", { class: "muted" }, t("inbox.empty")));
  };
  await reload();
});
