"""The county flow end to end: park round -> approved -> escalate -> county round -> county plan -> guide approves
-> firms of two parks confirm -> agreement; with withdrawal and the calendar-date day mapping on the way."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from tests.api.conftest import ok, wait_job
from tests.api.county.conftest import County, approve_plan


def test_the_tree_refuses_cycles(county: County) -> None:
    admin = county.api.as_("root")
    a = county.alliances
    assert ok(admin.get(f"/api/v1/alliances/{a['pa']}"))["parent_id"] == a["county"]
    for child, parent in ((a["county"], a["pa"]), (a["pa"], a["pa"])):
        r = admin.put(f"/api/v1/county/alliances/{child}/parent", json={"parent_id": parent})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "body.parent_id" and r.json()["errors"][0]["input"] == parent
    r = admin.put(f"/api/v1/county/alliances/{a['pa']}/parent", json={"parent_id": 987654})
    assert r.status_code == 422 and "987654" in r.text
    # A coordinator does not build the tree.
    assert county.api.as_("ccoord").put(f"/api/v1/county/alliances/{a['pa']}/parent",
                                        json={"parent_id": None}).status_code == 403


def test_a_park_escalates_what_its_approved_plan_left(county: County) -> None:
    api, r = county.api, county.rounds
    pa = api.as_("pa-coord")
    # Nothing approved yet: nothing to escalate.
    assert pa.post(f"/api/v1/county/rounds/{r['pa']}/escalations", json={"to_round_id": r["county"]}).status_code == 409
    _, proposal = approve_plan(api, "pa-coord", "pa-guide", r["pa"])
    items = ok(pa.get(f"/api/v1/proposals/{proposal}/items"))
    assert [i["key"] for i in items] == ["loan:forming:B:A"]
    for clerk in ("clerk-a", "clerk-b"):
        ok(api.as_(clerk).post(f"/api/v1/items/{items[0]['id']}/respond", json={"answer": "confirm"}))
    assert [t["id"] for t in ok(pa.get(f"/api/v1/county/rounds/{r['pa']}/targets"))] == [r["county"]]
    preview = ok(pa.get(f"/api/v1/county/rounds/{r['pa']}/leftovers"))
    # A made 24 itself and 24 with B's worker: 12 of 60 are unmet; B's worker is lent all three days, A's busy.
    assert [(e["enterprise"]["code"], e["kind"]) for e in preview["entries"]] == [("A", "order")]
    order = preview["entries"][0]["payload"]
    assert order["order"]["quantity"] == 12 and order["planned"] == 48 and order["reason"]
    assert (order["release_date"], order["due_date"]) == ("2026-12-07", "2026-12-09")
    esc = ok(pa.post(f"/api/v1/county/rounds/{r['pa']}/escalations", json={"to_round_id": r["county"]}), 201)
    assert esc["proposal_id"] == proposal and len(esc["entries"]) == 1
    again = pa.post(f"/api/v1/county/rounds/{r['pa']}/escalations", json={"to_round_id": r["county"]})
    assert again.status_code == 409
    # Park B has no orders: its plan is empty and all its idle capacity goes up.
    approve_plan(api, "pb-coord", "pb-guide", r["pb"])
    esc_b = ok(api.as_("pb-coord").post(f"/api/v1/county/rounds/{r['pb']}/escalations",
                                        json={"to_round_id": r["county"]}), 201)
    caps = {e["enterprise"]["code"]: e["payload"] for e in esc_b["entries"]}
    assert set(caps) == {"C", "D"}
    assert caps["C"]["idle_workers"] == caps["C"]["lendable_workers"] == {"forming": [1, 1, 1]}
    county.state["esc"] = {e["enterprise"]["code"]: e["id"] for e in esc["entries"] + esc_b["entries"]}


def test_each_firm_sees_only_its_own_offers(county: County) -> None:
    api = county.api
    for clerk, expected in (("clerk-a", [("A", "order")]), ("clerk-b", []), ("clerk-c", [("C", "capacity")]),
                            ("clerk-k", [])):
        offers = ok(api.as_(clerk).get("/api/v1/county/me/offers"))
        assert [(o["enterprise"]["code"], o["kind"]) for o in offers] == expected
        assert all(o["withdrawable"] and o["to_round"]["id"] == county.rounds["county"] for o in offers)


def test_the_county_plans_from_escalations_and_its_direct_members(county: County) -> None:
    api, r = county.api, county.rounds
    cc = api.as_("ccoord")
    received = ok(cc.get(f"/api/v1/county/rounds/{r['county']}/received"))
    assert sorted(len(e["entries"]) for e in received) == [1, 2]
    # The county sees what was escalated, never a park's reports or plans.
    assert cc.get(f"/api/v1/rounds/{r['pa']}/reports").status_code == 404
    job = ok(cc.post(f"/api/v1/rounds/{r['county']}/jobs", json={"time_limit_s": 5}), 202)
    snapshot = ok(cc.get(f"/api/v1/jobs/{job['id']}/snapshot"))
    firms = {e["id"]: e for e in snapshot["enterprises"]}
    assert set(firms) == {"K", "park-a/A", "park-b/C", "park-b/D"}
    # Day mapping by date: the county starts on 12-08, so the park's days 1 and 2 are county days 0 and 1; the
    # park round does not cover 12-10, so nothing is offered on county day 2.
    assert firms["park-b/C"]["idle_workers"] == {"forming": [1, 1, 0]}
    assert firms["park-a/A"]["idle_workers"] == {}
    # C's block on D travels up as D's county code.
    assert firms["park-b/C"]["blocked_partners"] == ["park-b/D"]
    [order] = snapshot["orders"]
    assert (order["id"], order["owner"], order["quantity"]) == ("park-a/A-o1", "park-a/A", 12)
    assert (order["release_day"], order["due_day"]) == (0, 1)
    county.state["job1"] = wait_job(cc, job["id"])["id"]


def test_a_withdrawal_after_the_job_makes_its_plan_stale(county: County) -> None:
    api, r = county.api, county.rounds
    cc = api.as_("ccoord")
    d_entry = county.state["esc"]["D"]
    # Another firm cannot withdraw D's entry: it answers as if it did not exist.
    other = api.as_("clerk-c").post(f"/api/v1/county/offers/{d_entry}/withdraw")
    missing = api.as_("clerk-c").post("/api/v1/county/offers/987654/withdraw")
    assert other.status_code == missing.status_code == 404 and other.json()["detail"].replace(
        str(d_entry), "#") == missing.json()["detail"].replace("987654", "#")
    withdrawn = ok(api.as_("clerk-d").post(f"/api/v1/county/offers/{d_entry}/withdraw"))
    assert withdrawn["withdrawn_at"] and not withdrawn["withdrawable"]
    assert api.as_("clerk-d").post(f"/api/v1/county/offers/{d_entry}/withdraw").status_code == 409
    assert cc.post(f"/api/v1/jobs/{county.state['job1']}/proposals").status_code == 409
    job = ok(cc.post(f"/api/v1/rounds/{r['county']}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(cc, job["id"])["status"] == "succeeded"
    snapshot = ok(cc.get(f"/api/v1/jobs/{job['id']}/snapshot"))
    assert "park-b/D" not in {e["id"] for e in snapshot["enterprises"]}
    county.state["job2"] = job["id"]


def test_county_plan_is_reviewed_confirmed_across_parks_and_seen_by_each_park(county: County) -> None:
    api, r, f = county.api, county.rounds, county.firms
    cc = api.as_("ccoord")
    proposal = ok(cc.post(f"/api/v1/jobs/{county.state['job2']}/proposals"), 201)
    # The park guide does not review the county's proposals.
    ok(cc.post(f"/api/v1/proposals/{proposal['id']}/submit"))
    assert api.as_("pa-guide").post(f"/api/v1/proposals/{proposal['id']}/review",
                                    json={"decision": "approve"}).status_code == 404
    ok(api.as_("cguide").post(f"/api/v1/proposals/{proposal['id']}/review", json={"decision": "approve"}))
    [item] = ok(cc.get(f"/api/v1/proposals/{proposal['id']}/items"))
    # C's one worker helps A on the two county days that A's order can still use: 12 units, 2 worker-days.
    assert item["key"] == "loan:forming:park-b/C:park-a/A"
    assert (item["first_party"]["id"], item["second_party"]["id"]) == (f["C"], f["A"])
    assert item["terms"]["worker_days"] == 2 and item["start_date"] == "2026-12-08"
    # The firms of both parks find the item among their own and confirm it.
    for clerk in ("clerk-a", "clerk-c"):
        mine = ok(api.as_(clerk).get("/api/v1/me/items"))
        assert item["id"] in {i["id"] for i in mine}
        ok(api.as_(clerk).post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
    assert api.as_("clerk-d").get(f"/api/v1/items/{item['id']}").status_code == 404
    agreement = api.as_("clerk-a").get(f"/api/v1/items/{item['id']}/agreement", params={"format": "text"})
    assert agreement.status_code == 200
    assert "帮工协议" in agreement.text and "瓷厂 C" in agreement.text and "测试县级联盟" in agreement.text
    assert "12月8日" in agreement.text  # the round's dates, written as a person reads them (docs/catalogue.md)
    # Each park coordinator sees the county items of its own firms (through its round), nothing else.
    for coord, park in (("pa-coord", "pa"), ("pb-coord", "pb")):
        seen = ok(api.as_(coord).get(f"/api/v1/county/rounds/{r[park]}/county-items"))
        assert [(i["id"], i["status"], i["county_round"]["id"]) for i in seen] == [(item["id"], "confirmed",
                                                                                     r["county"])]
    # Confirmed: the offers under it can no longer be withdrawn.
    for clerk, code in (("clerk-a", "A"), ("clerk-c", "C")):
        assert api.as_(clerk).post(f"/api/v1/county/offers/{county.state['esc'][code]}/withdraw").status_code == 409


def test_the_park_coordinator_sees_what_it_escalated_and_who_withdrew(county: County) -> None:
    api, r = county.api, county.rounds
    [esc] = ok(api.as_("pb-coord").get(f"/api/v1/county/rounds/{r['pb']}/escalations"))
    withdrawn = {e["enterprise"]["code"]: e["withdrawn_at"] is not None for e in esc["entries"]}
    assert withdrawn == {"C": False, "D": True}
    assert ok(api.as_("pa-coord").get(f"/api/v1/county/rounds/{r['pa']}/escalations"))[0]["entries"][0]["kind"] == \
        "order"


def test_county_outcome_figures_roll_up_its_parks(county: County) -> None:
    api, a, r = county.api, county.alliances, county.rounds
    data = ok(api.as_("ccoord").get(f"/api/v1/alliances/{a['county']}/outcomes"))
    by_round = {o["round_id"]: o for o in data["rounds"]}
    assert {r["county"], r["pa"], r["pb"]} <= set(by_round)
    assert by_round[r["county"]]["alliance"] == "测试县级联盟" and by_round[r["pa"]]["alliance"] == "甲园区"
    assert by_round[r["county"]]["partner_pairs"] == 1  # the one confirmed loan across the parks
    totals = {t["alliance_id"]: t for t in data["alliances"]}
    assert list(totals) == [a["county"], a["pa"], a["pb"]]
    for key in ("county", "pa", "pb"):
        own = [o for o in data["rounds"] if o["alliance_id"] == a[key]]
        assert totals[a[key]]["rounds"] == len(own)
        assert totals[a[key]]["partner_pairs"] == sum(o["partner_pairs"] for o in own)
    assert sum(m["rounds"] for m in data["months"]) == len(data["rounds"])
    # A park sees its own rounds only; the county's figures are not the park's to read.
    park = ok(api.as_("pa-coord").get(f"/api/v1/alliances/{a['pa']}/outcomes"))
    assert {o["alliance_id"] for o in park["rounds"]} == {a["pa"]}
    assert api.as_("pa-coord").get(f"/api/v1/alliances/{a['county']}/outcomes").status_code in (403, 404)
    sheet = api.as_("ccoord").get(f"/api/v1/alliances/{a['county']}/outcomes/export")
    assert sheet.status_code == 200
    book = load_workbook(BytesIO(sheet.content))
    assert "按联盟 per alliance" in book.sheetnames
    assert [row[0] for row in book["按联盟 per alliance"].iter_rows(min_row=2, values_only=True)] == \
        ["测试县级联盟", "甲园区", "乙园区"]
