"""The park coordinator retracts a whole escalation (撤回上报) before the county round closes.

Everything not yet withdrawn goes, as if each firm had withdrawn it: pending county items resting on it are
declined with the coordinator's reason and the county coordinator is told.  One confirmed county item refuses
the whole retraction and changes nothing.  Only the coordinator of the park that escalated may retract it; to
everyone else the escalation does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.conftest import Backend, ok, start
from tests.api.county.conftest import County, build_county, county_item, escalate_both


def _escalation(county: County, coord: str, park: str) -> dict[str, Any]:
    [esc] = ok(county.api.as_(coord).get(f"/api/v1/county/rounds/{county.rounds[park]}/escalations"))
    return esc


def test_the_park_coordinator_retracts_and_pending_county_items_are_declined(county: County) -> None:
    api = county.api
    county.state["offers"] = escalate_both(county)
    _, _, item = county_item(county)  # the loan C (park B) -> A (park A), pending
    ok(api.as_("clerk-a").post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
    esc = _escalation(county, "pb-coord", "pb")
    url = f"/api/v1/county/escalations/{esc['id']}/retract"
    d_withdrawn = {e["enterprise"]["code"]: e["withdrawn_at"] for e in esc["entries"]}["D"]
    assert d_withdrawn is not None  # D withdrew its own offer before the county planned

    missing = api.as_("pb-coord").post(url, json={"reason": ""})
    assert missing.status_code == 422 and "reason" in missing.text
    for who, code in (("pa-coord", 404), ("ccoord", 404), ("clerk-c", 403), ("cguide", 403)):
        assert api.as_(who).post(url, json={"reason": "x"}).status_code == code, who
    assert api.as_("pb-coord").post("/api/v1/county/escalations/999999/retract",
                                    json={"reason": "x"}).status_code == 404

    out = ok(api.as_("pb-coord").post(url, json={"reason": "园区内已另行安排 C 的工人"}))
    entries = {e["enterprise"]["code"]: e["withdrawn_at"] for e in out["entries"]}
    assert entries["C"] is not None and entries["D"] == d_withdrawn  # D keeps its own withdrawal's time
    seen = ok(api.as_("clerk-a").get(f"/api/v1/items/{item['id']}"))
    assert seen["status"] == "declined" and "园区内已另行安排" in seen["reason"]
    inbox = ok(api.as_("ccoord").get("/api/v1/me/inbox"))["messages"]
    [told] = [m for m in inbox if m["kind"] == "escalation.retracted"]
    assert "乙园区" in told["text_zh"] and "园区内已另行安排" in told["text_zh"]
    assert all(m["kind"] != "escalation.retracted" for m in ok(api.as_("pa-coord").get("/api/v1/me/inbox"))["messages"])
    assert api.as_("pb-coord").post(url, json={"reason": "again"}).status_code == 409
    # Firm C's own list shows the offer withdrawn.
    mine = ok(api.as_("clerk-c").get("/api/v1/county/me/offers"))
    assert all(o["withdrawn_at"] is not None for o in mine)


def test_a_confirmed_county_item_refuses_the_whole_retraction(tmp_path: Path) -> None:
    # A county of its own (the module's county has its item declined by now); the rule is the database's
    # neither way, so SQLite suffices.
    client, api = start(Backend("sqlite", f"sqlite:///{tmp_path / 'county.db'}"))
    try:
        county = build_county(api)
        county.state["offers"] = escalate_both(county)
        _, _, item = county_item(county)
        for clerk in ("clerk-a", "clerk-c"):
            ok(api.as_(clerk).post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
        for coord, park in (("pb-coord", "pb"), ("pa-coord", "pa")):
            esc = _escalation(county, coord, park)
            before = {e["id"]: e["withdrawn_at"] for e in esc["entries"]}
            r = api.as_(coord).post(f"/api/v1/county/escalations/{esc['id']}/retract", json={"reason": "不需要了"})
            assert r.status_code == 409 and "confirmed" in r.text, r.text
            after = {e["id"]: e["withdrawn_at"] for e in _escalation(county, coord, park)["entries"]}
            assert after == before, "a refused retraction changes nothing"
        assert ok(api.as_("clerk-a").get(f"/api/v1/items/{item['id']}"))["status"] == "confirmed"
    finally:
        client.__exit__(None, None, None)
