// A firm's offers upward (提交上级): what of its own its park passed to the county round, and withdraw.
import { api } from "../api.js";
import { fmtDateTime, t } from "../i18n.js";
import { entryCard, roundLabel } from "../countyview.js";
import { $, busy, clear, el, flash, run, showFormError, startPage } from "../ui.js";

function withdrawForm(offer, reload) {
  const form = el("form", { class: "withdraw", novalidate: true, "data-entry": offer.id },
    el("div", { class: "form-error", role: "alert", "aria-live": "assertive" }),
    el("p", { class: "hint" }, t("county_offers.withdraw_hint")),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "danger" }, t("county_offers.withdraw"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(event.submitter || form, async () => {
      try {
        await api(`/county/offers/${offer.id}/withdraw`, { method: "POST" });
        flash(t("county_offers.withdrawn_flash"));
        await reload();
      } catch (error) {
        showFormError(form, error);
      }
    });
  });
  return form;
}

run(async () => {
  await startPage();
  const root = $("#county_offers");
  const reload = async () => {
    const offers = await api("/county/me/offers");
    clear(root, offers.length
      ? offers.map((offer) => entryCard(offer,
        el("p", {}, t("county_offers.to_round", { round: roundLabel(offer.to_round) })),
        offer.withdrawn_at ? el("p", { class: "muted" }, t("county_offers.withdrawn_at", { at: fmtDateTime(offer.withdrawn_at) })) : null,
        offer.withdrawable ? withdrawForm(offer, reload) : null))
      : el("p", { class: "muted", id: "no-offers" }, t("county_offers.none")));
  };
  await reload();
});
