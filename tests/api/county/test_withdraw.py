"""Withdrawing an offer after the county plan was approved declines the pending county items that rest on it."""

from __future__ import annotations

from tests.api.conftest import ok, wait_job
from tests.api.county.conftest import County, county_item, escalate_both


def test_withdrawal_declines_pending_items_resting_on_it(county: County) -> None:
    api = county.api
    county.state["offers"] = escalate_both(county)
    _, proposal, item = county_item(county)
    assert item["status"] == "pending"
    ok(api.as_("clerk-a").post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
    # C takes its idle workers back: the loan C -> A rested on them.
    offer = ok(api.as_("clerk-c").post(f"/api/v1/county/offers/{county.state['offers']['C']}/withdraw"))
    assert offer["withdrawn_at"] is not None
    seen = ok(api.as_("clerk-a").get(f"/api/v1/items/{item['id']}"))
    assert seen["status"] == "declined" and "撤回" in seen["reason"]
    # A re-plan forbids the pair by scoped codes, but it solves the old snapshot, which still holds C's offer:
    # its proposal is refused, and a new plan from the round's current escalations is what the county does.
    cc = api.as_("ccoord")
    job = ok(cc.post(f"/api/v1/proposals/{proposal}/replan", json={"time_limit_s": 5}), 202)
    done = wait_job(cc, job["id"])
    assert done["replan"]["forbidden_pairs"] == [["park-a/A", "park-b/C"]]
    assert cc.post(f"/api/v1/jobs/{job['id']}/proposals").status_code == 409
    fresh = ok(cc.post(f"/api/v1/rounds/{county.rounds['county']}/jobs", json={"time_limit_s": 5}), 202)
    snapshot = ok(cc.get(f"/api/v1/jobs/{fresh['id']}/snapshot"))
    assert {e["id"] for e in snapshot["enterprises"]} == {"K", "park-a/A"}
    assert wait_job(cc, fresh["id"])["status"] == "succeeded"
    assert ok(cc.post(f"/api/v1/jobs/{fresh['id']}/proposals"), 201)["summary"]["loans"] == 0
