"""A park round escalated a second time offers only what the first county round left: A's units made there and
C's worker-days lent there are not offered again; D, who withdrew, offers the same as before."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.api.conftest import ok
from tests.api.county.conftest import COUNTY_ROUND, County, county_item, escalate_both


def _by_firm(preview: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {e["enterprise"]["code"]: e["payload"] for e in preview["entries"] if e["kind"] == kind}


def test_a_second_escalation_does_not_offer_what_the_county_took(county: County) -> None:
    api, r = county.api, county.rounds
    county.state["offers"] = escalate_both(county)
    pa, pb = api.as_("pa-coord"), api.as_("pb-coord")
    before_a = _by_firm(ok(pa.get(f"/api/v1/county/rounds/{r['pa']}/leftovers")), "order")
    before_b = _by_firm(ok(pb.get(f"/api/v1/county/rounds/{r['pb']}/leftovers")), "capacity")
    job, _, item = county_item(county)  # D withdraws; the county plans C lending to A
    for clerk in ("clerk-a", "clerk-c"):
        ok(api.as_(clerk).post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
    ok(api.as_("ccoord").post(f"/api/v1/rounds/{r['county']}/close"))
    later = ok(api.as_("ccoord").post(f"/api/v1/alliances/{county.alliances['county']}/rounds",
                                      json={**COUNTY_ROUND, "name": "县级第二轮 / county round two"}), 201)["id"]

    # C: each day it lent its worker in the county plan is a day it no longer offers.
    county_start = dt.date.fromisoformat(str(COUNTY_ROUND["start_date"]))
    park_start = dt.date.fromisoformat(before_b["C"]["start_date"])
    lent = {(county_start + dt.timedelta(days=row["day"]) - park_start).days: row["workers"] for row in item["rows"]}
    assert item["kind"] == "loan" and lent
    after_b = _by_firm(ok(pb.get(f"/api/v1/county/rounds/{r['pb']}/leftovers")), "capacity")
    offered = before_b["C"]["idle_workers"]["forming"]
    expected = [max(0, n - lent.get(t, 0)) for t, n in enumerate(offered)]
    assert after_b.get("C", {}).get("idle_workers", {}).get("forming", [0] * len(offered)) == expected \
        or (not any(expected) and "C" not in after_b)
    assert after_b["D"] == before_b["D"]  # withdrawn: the county took nothing of it

    # A: the units the county plan made of its order are not offered again.
    plan = ok(api.as_("ccoord").get(f"/api/v1/jobs/{job}/plan"))
    made = sum(row["quantity"] for row in plan["production"] if row["order"].endswith("o1"))
    assert made > 0
    after_a = _by_firm(ok(pa.get(f"/api/v1/county/rounds/{r['pa']}/leftovers")), "order")
    left = before_a["A"]["order"]["quantity"] - made
    assert (after_a["A"]["order"]["quantity"] if "A" in after_a else 0) == left

    # And the escalation to the next county round carries exactly that.
    esc = ok(pb.post(f"/api/v1/county/rounds/{r['pb']}/escalations", json={"to_round_id": later}), 201)
    carried = {e["enterprise"]["code"]: e["payload"] for e in esc["entries"]}
    assert carried.get("C", {}).get("idle_workers", {}).get("forming", [0] * len(offered)) == expected \
        or (not any(expected) and "C" not in carried)
