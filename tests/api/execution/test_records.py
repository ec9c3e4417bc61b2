"""Execution from records to settlement: a loan short by a day, a sub-contract with rejected units and a
dispute the coordinator decides, the settlement against a hand computation, the close that locks it all,
and what a firm may not read."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.api.conftest import World, ok
from tests.api.execution.conftest import confirmed_plan

# Units the coordinator's decision accepts of the sub-contract: a poor delivery, so the maker's reliability falls.
KEPT = 3


@pytest.fixture(scope="module")
def state(world: World) -> dict[str, Any]:
    items = confirmed_plan(world)
    loan = next(i for k, i in items.items() if k.startswith("loan:forming:B:A"))
    sub = next(i for k, i in items.items() if k.startswith("subcontract:A-o1:"))
    return {"loan": loan, "sub": sub, "site": sub["second_party"]["code"]}


def clerk(world: World, code: str) -> Any:
    return world.api.as_(f"clerk-{code.lower()}")


def test_only_the_right_side_records_and_bad_figures_are_named(world: World, state: dict) -> None:
    loan, sub = state["loan"], state["sub"]
    url = f"/api/v1/items/{loan['id']}/execution/records"
    # The lender answers, it does not record; a third firm does not even see the item.
    assert clerk(world, "B").post(url, json={"day": 0, "workers": 1}).status_code == 403
    assert clerk(world, "D" if state["site"] == "C" else "C").post(url, json={"day": 0, "workers": 1}).status_code \
        == 404
    r = clerk(world, "A").post(url, json={"day": 0, "delivered": 1, "accepted": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "delivered"]
    r = clerk(world, "A").post(url, json={"day": 3, "workers": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "day"]
    assert r.json()["errors"][0]["input"] == 3
    r = clerk(world, "A").post(f"/api/v1/items/{sub['id']}/execution/records",
                               json={"day": 2, "delivered": 5, "accepted": 6})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "accepted"]
    r = clerk(world, "A").post(f"/api/v1/items/{sub['id']}/execution/records", json={"day": 2, "delivered": 5})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "accepted"]
    fresh = ok(world.api.as_("coord").get(f"/api/v1/items/{loan['id']}/execution"))
    assert fresh["records"] == [] and fresh["state"] == "in_progress"


def test_loan_short_by_a_day(world: World, state: dict) -> None:
    loan = state["loan"]
    url = f"/api/v1/items/{loan['id']}/execution/records"
    rows = sorted(loan["rows"], key=lambda r: r["day"])
    assert sum(r["workers"] for r in rows) >= 2
    last = rows[-1]
    for row in rows:
        workers = row["workers"] - 1 if row is last else row["workers"]
        view = ok(clerk(world, "A").post(url, json={"day": row["day"], "workers": workers, "note": "门岗登记"}))
    assert view["difference"] == -1 and view["planned"] == loan["terms"]["worker_days"]
    assert view["my_side"] == "records"
    assert {d["day"]: (d["planned"], d["actual"]) for d in view["days"]}[last["day"]] == \
        (last["workers"], last["workers"] - 1)
    # The lender confirms each day.
    for rec in view["records"]:
        answered = ok(clerk(world, "B").post(f"/api/v1/execution/records/{rec['id']}/answer",
                                             json={"answer": "confirm"}))
    assert {r["status"] for r in answered["records"]} == {"confirmed"} and answered["my_side"] == "answers"
    # A confirmed day is no longer changed.
    assert clerk(world, "A").post(url, json={"day": rows[0]["day"], "workers": 0}).status_code == 409
    done = ok(clerk(world, "A").post(f"/api/v1/items/{loan['id']}/execution/finish"))
    assert done["state"] == "short" and done["finished"]
    state["loan_worker_days"] = done["actual"]


def test_subcontract_rejected_units_disputed_and_decided(world: World, state: dict) -> None:
    sub = state["sub"]
    units, due = sub["terms"]["units"], sub["terms"]["due_day"]
    assert units > KEPT + 3
    maker = clerk(world, state["site"])
    view = ok(clerk(world, "A").post(f"/api/v1/items/{sub['id']}/execution/records",
                                     json={"day": due, "delivered": units, "accepted": units - 3,
                                           "note": "3 件釉面开裂"}))
    rec = view["records"][0]
    assert (view["delivered"], view["actual"], view["rejected"]) == (units, units - 3, 3)
    # A dispute needs a reason; then it carries the maker's own count.
    bad = maker.post(f"/api/v1/execution/records/{rec['id']}/answer", json={"answer": "dispute"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "reason"]
    disputed = ok(maker.post(f"/api/v1/execution/records/{rec['id']}/answer",
                             json={"answer": "dispute", "reason": "只有 1 件开裂 / only one cracked",
                                   "delivered": units, "accepted": units - 1}))
    assert disputed["state"] == "disputed" and disputed["records"][0]["claimed"]["accepted"] == units - 1
    # Only the coordinator decides, and only in writing.
    assert clerk(world, "A").post(f"/api/v1/execution/records/{rec['id']}/resolve",
                                  json={"decision": "x", "delivered": units, "accepted": units}).status_code == 403
    r = world.api.as_("coord").post(f"/api/v1/execution/records/{rec['id']}/resolve",
                                    json={"decision": " ", "delivered": units, "accepted": KEPT})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "decision"]
    decided = ok(world.api.as_("coord").post(
        f"/api/v1/execution/records/{rec['id']}/resolve",
        json={"decision": "现场复检：多数不合格 / re-inspected: most rejected", "delivered": units,
              "accepted": KEPT}))
    assert decided["records"][0]["status"] == "resolved" and decided["actual"] == KEPT
    assert decided["state"] == "in_progress" and decided["delivered_on_time"] == units
    # The settlement cannot close while the item is still open.
    assert world.api.as_("coord").post(f"/api/v1/rounds/{world.round}/settlement/close").status_code == 409
    done = ok(clerk(world, "A").post(f"/api/v1/items/{sub['id']}/execution/finish"))
    assert done["state"] == "short"


def test_settlement_matches_a_hand_computation(world: World, state: dict) -> None:
    loan, sub = state["loan"], state["sub"]
    wd = loan["terms"]["worker_days"] - 1
    commute = 1.0 * loan["terms"]["distance_km"] * wd  # policy commute_cost_per_km = 1
    loan_amount = round(200.0 * wd + commute, 2)
    units = sub["terms"]["units"]
    fee = 100.0 * KEPT
    transport = 1.0 * sub["terms"]["distance_km"] * units  # transport 1 yuan per unit-km, every unit delivered
    sub_amount = round(fee + transport, 2)
    result = ok(world.api.as_("coord").get(f"/api/v1/rounds/{world.round}/settlement"))
    lines = {ln["key"]: ln for ln in result["lines"]}
    assert lines[loan["key"]]["base"] == pytest.approx(200.0 * wd)
    assert lines[loan["key"]]["travel"] == pytest.approx(round(commute, 2))
    assert lines[loan["key"]]["amount"] == pytest.approx(loan_amount)
    assert lines[sub["key"]]["base"] == pytest.approx(fee)
    assert lines[sub["key"]]["amount"] == pytest.approx(sub_amount)
    firms = {f["enterprise"].split()[0]: f for f in result["firms"]}
    assert firms["A"]["payable"] == pytest.approx(loan_amount + sub_amount) and firms["A"]["receivable"] == 0
    assert firms["B"]["net"] == pytest.approx(loan_amount)
    assert firms[state["site"]]["net"] == pytest.approx(sub_amount)
    pair = next(p for p in result["pairs"] if {p["a"][0], p["b"][0]} == {"A", "B"})
    assert abs(pair["a_pays_b"]) == pytest.approx(loan_amount)
    state["amounts"] = (loan_amount, sub_amount)


def test_a_firm_reads_only_its_own(world: World, state: dict) -> None:
    loan, sub = state["loan"], state["sub"]
    b = clerk(world, "B")
    mine = ok(b.get(f"/api/v1/rounds/{world.round}/settlement"))
    assert [ln["key"] for ln in mine["lines"]] == [loan["key"]]
    assert [f["enterprise"].split()[0] for f in mine["firms"]] == ["B"]
    assert [e["key"] for e in ok(b.get(f"/api/v1/rounds/{world.round}/execution"))] == [loan["key"]]
    assert [e["key"] for e in ok(b.get("/api/v1/me/execution"))] == [loan["key"]]
    assert b.get(f"/api/v1/items/{sub['id']}/execution").status_code == 404
    sub_record = ok(world.api.as_("coord").get(f"/api/v1/items/{sub['id']}/execution"))["records"][0]
    assert b.post(f"/api/v1/execution/records/{sub_record['id']}/answer",
                  json={"answer": "confirm"}).status_code == 404
    a_id, site_id = world.firms["A"], world.firms[state["site"]]
    assert b.get(f"/api/v1/rounds/{world.round}/settlement/sheet", params={"a": a_id, "b": site_id}).status_code == 404
    other = "D" if state["site"] == "C" else "C"
    assert ok(clerk(world, other).get(f"/api/v1/rounds/{world.round}/settlement"))["lines"] == []
    # A firm's export holds its own lines only, whatever firm it asks for.
    r = b.get(f"/api/v1/rounds/{world.round}/settlement/export", params={"enterprise": a_id})
    lines = list(load_workbook(io.BytesIO(r.content))["明细 lines"].iter_rows(values_only=True))
    assert [row[0] for row in lines[1:]] == [loan["key"]]
    # Another alliance sees nothing of this round.
    assert world.api.as_("clerk-x").get(f"/api/v1/rounds/{world.round}/settlement").status_code == 404


def test_exports_and_printable_sheet(world: World, state: dict) -> None:
    loan_amount, sub_amount = state["amounts"]
    coord = world.api.as_("coord")
    r = coord.get(f"/api/v1/rounds/{world.round}/settlement/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    firms = {row[0].split()[0]: row for row in list(wb["企业 firms"].iter_rows(values_only=True))[1:]}
    assert firms["A"][2] == pytest.approx(loan_amount + sub_amount)
    r = coord.get(f"/api/v1/rounds/{world.round}/settlement/export", params={"enterprise": world.firms["B"]})
    names = [row[0] for row in list(load_workbook(io.BytesIO(r.content))["企业 firms"].iter_rows(values_only=True))[1:]]
    assert names == ["B 瓷厂 B"]
    sheet = clerk(world, "A").get(f"/api/v1/rounds/{world.round}/settlement/sheet",
                                  params={"a": world.firms["A"], "b": world.firms["B"]})
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/html")
    assert "@page { size: A4" in sheet.text and "结算单" in sheet.text
    assert f"{loan_amount:,.2f}" in sheet.text and "甲方签章" in sheet.text


def test_close_locks_the_records(world: World, state: dict) -> None:
    coord = world.api.as_("coord")
    assert clerk(world, "A").post(f"/api/v1/rounds/{world.round}/settlement/close").status_code == 403
    closed = ok(coord.post(f"/api/v1/rounds/{world.round}/settlement/close"))
    assert closed["closed"] and closed["closed_at"]
    assert coord.post(f"/api/v1/rounds/{world.round}/settlement/close").status_code == 409
    r = clerk(world, "A").post(f"/api/v1/items/{state['sub']['id']}/execution/records",
                               json={"day": 0, "delivered": 1, "accepted": 1})
    assert r.status_code == 409 and "锁定" in r.json()["detail"]
    assert ok(coord.get(f"/api/v1/items/{state['loan']['id']}/execution"))["locked"]


def test_everything_is_audited(world: World, state: dict) -> None:
    admin = world.api.as_("root")
    actions = [e["action"] for e in ok(admin.get("/api/v1/audit", params={"entity": "execution_record"}))]
    assert {"execution.record", "execution.confirm", "execution.dispute", "execution.resolve"} <= set(actions)
    resolved = next(e for e in ok(admin.get("/api/v1/audit", params={"entity": "execution_record"}))
                    if e["action"] == "execution.resolve")
    assert resolved["before"]["status"] == "disputed" and resolved["after"]["decision"].startswith("现场复检")
    assert resolved["actor_id"] == world.users["coord"]
    finished = ok(admin.get("/api/v1/audit", params={"entity": "item_execution"}))
    assert {e["action"] for e in finished} == {"execution.finish"}
    assert [e["action"] for e in ok(admin.get("/api/v1/audit", params={"entity": "settlement"}))] == \
        ["settlement.close"]


def test_formula_cells_are_neutralised() -> None:
    from api.execution.documents import safe

    assert [safe(v) for v in ("=1+1", "+x", "-y", "@z", "瓷厂", 5, -3.0)] == \
        ["'=1+1", "'+x", "'-y", "'@z", "瓷厂", 5, -3.0]


def test_ratings_of_finished_items(world: World, state: dict) -> None:
    loan, sub = state["loan"], state["sub"]
    a, maker = clerk(world, "A"), clerk(world, state["site"])
    body = {"on_time": 2, "quality": 1, "cooperation": 3, "comment": "大部分不合格 / most units failed"}
    r = a.post(f"/api/v1/items/{sub['id']}/ratings", json={**body, "quality": 6})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "quality"]
    given = ok(a.post(f"/api/v1/items/{sub['id']}/ratings", json=body), 201)
    assert given["ratee_id"] == world.firms[state["site"]] and given["rater_id"] == world.firms["A"]
    assert a.post(f"/api/v1/items/{sub['id']}/ratings", json=body).status_code == 409
    ok(maker.post(f"/api/v1/items/{sub['id']}/ratings", json={"on_time": 5, "quality": 5, "cooperation": 4}), 201)
    ok(a.post(f"/api/v1/items/{loan['id']}/ratings", json={"on_time": 4, "quality": 4, "cooperation": 5}), 201)
    # A third firm rates nothing it was not part of.
    assert clerk(world, "B").post(f"/api/v1/items/{sub['id']}/ratings", json=body).status_code == 404
    # A firm reads the ratings it received, never those given by others about third parties.
    received_b = ok(clerk(world, "B").get(f"/api/v1/alliances/{world.alliance}/ratings"))
    assert [(x["rater_id"], x["ratee_id"]) for x in received_b] == [(world.firms["A"], world.firms["B"])]
    received_site = ok(maker.get(f"/api/v1/alliances/{world.alliance}/ratings"))
    assert {x["ratee_id"] for x in received_site} == {world.firms[state["site"]]}
    assert clerk(world, "B").get(f"/api/v1/items/{sub['id']}/ratings").status_code == 404
    everything = ok(world.api.as_("coord").get(f"/api/v1/alliances/{world.alliance}/ratings"))
    assert len(everything) == 3
    assert len(ok(world.api.as_("guide").get(f"/api/v1/alliances/{world.alliance}/ratings"))) == 3
    assert world.api.as_("coord2").get(f"/api/v1/alliances/{world.alliance}/ratings").status_code == 404


def test_reliability_figures_follow_the_records(world: World, state: dict) -> None:
    from api.execution.ratings import PRIOR_WEIGHT

    loan, sub = state["loan"], state["sub"]
    rows = {r["enterprise"].split()[0]: r
            for r in ok(world.api.as_("coord").get(f"/api/v1/alliances/{world.alliance}/reliability"))}
    loan_share = (loan["terms"]["worker_days"] - 1) / loan["terms"]["worker_days"]
    sub_share = KEPT / sub["terms"]["units"]
    prior = (loan_share + sub_share) / 2  # the alliance's mean item share
    site, other = state["site"], "D" if state["site"] == "C" else "C"
    assert rows["B"]["worker_day_share"] == pytest.approx(loan_share)
    assert rows[site]["unit_share"] == pytest.approx(sub_share)
    assert rows["B"]["reliability"] == pytest.approx((PRIOR_WEIGHT * prior + loan_share) / (PRIOR_WEIGHT + 1), abs=1e-4)
    assert rows[site]["reliability"] == pytest.approx((PRIOR_WEIGHT * prior + sub_share) / (PRIOR_WEIGHT + 1), abs=1e-4)
    # Without history: the alliance's mean, the neutral prior.
    assert rows[other]["items"] == 0 and rows[other]["reliability"] == pytest.approx(prior, abs=1e-4)
    assert rows[site]["average_rating"] == pytest.approx(2.0) and rows[site]["ratings"] == 1
    assert rows[site]["reliability"] < rows[other]["reliability"]
    state["floor"] = round((rows[site]["reliability"] + rows[other]["reliability"]) / 2, 4)
    # A firm reads its own figures only.
    mine = ok(clerk(world, "B").get(f"/api/v1/alliances/{world.alliance}/reliability"))
    assert [r["enterprise_id"] for r in mine] == [world.firms["B"]]


def test_with_a_floor_the_next_plan_avoids_the_unreliable_firm(world: World, state: dict) -> None:
    from tests.api.conftest import FIRMS, ROUND_BODY, report_body, wait_job

    coord = world.api.as_("coord")
    policy: dict[str, Any] = {**dict(ROUND_BODY["policy"]), "reliability_floor": state["floor"]}  # type: ignore[call-overload]
    body = {**ROUND_BODY, "name": "第二轮 / round two", "policy": policy}
    rid = ok(coord.post(f"/api/v1/alliances/{world.alliance}/rounds", json=body), 201)["id"]
    for code in FIRMS:
        ok(clerk(world, code).put(f"/api/v1/rounds/{rid}/reports/{world.firms[code]}", json=report_body(code)), 201)
    job = ok(coord.post(f"/api/v1/rounds/{rid}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    snapshot = ok(coord.get(f"/api/v1/jobs/{job['id']}/snapshot"))
    site, other = state["site"], "D" if state["site"] == "C" else "C"
    rel = {e["id"]: e["reliability"] for e in snapshot["enterprises"]}
    assert rel[site] < state["floor"] <= rel[other]
    plan = ok(coord.get(f"/api/v1/jobs/{job['id']}/plan"))
    sites = {r["site"] for r in plan["production"]}
    assert site not in sites and other in sites
    assert site not in {ln["to"] for ln in plan["loans"]}


def test_public_notice_drafted_approved_published(world: World, state: dict) -> None:
    loan = state["loan"]
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    other = "D" if state["site"] == "C" else "C"
    assert coord.get(f"/api/v1/rounds/{world.round}/notice").status_code == 404
    assert clerk(world, "A").put(f"/api/v1/rounds/{world.round}/notice", json={"text": "x"}).status_code == 403
    notice = ok(coord.put(f"/api/v1/rounds/{world.round}/notice",
                          json={"text": "本轮联盟互助结果公示如下。/ This round's results."}))
    f = notice["figures"]
    assert (f["orders_subcontracted"], f["worker_days_lent"], f["units_accepted"]) == \
        (1, loan["terms"]["worker_days"] - 1, KEPT)
    assert sorted(n.split()[0] for n in f["firms"]) == sorted(["A", "B", state["site"]])
    assert f["details"] == [] and notice["status"] == "draft"
    # A firm not taking part does not see the draft; the parties consent, one item's two firms agree.
    assert clerk(world, other).get(f"/api/v1/rounds/{world.round}/notice").status_code == 404
    for code in ("A", "B"):
        ok(clerk(world, code).post(f"/api/v1/notices/{notice['id']}/consent", json={"agreed": True}))
    ok(clerk(world, state["site"]).post(f"/api/v1/notices/{notice['id']}/consent", json={"agreed": False}))
    assert clerk(world, other).post(f"/api/v1/notices/{notice['id']}/consent", json={"agreed": True}).status_code \
        == 404
    notice = ok(coord.get(f"/api/v1/rounds/{world.round}/notice"))
    assert [d["key"] for d in notice["figures"]["details"]] == [loan["key"]]  # the sub-contract's maker said no
    ok(coord.post(f"/api/v1/notices/{notice['id']}/submit"))
    r = guide.post(f"/api/v1/notices/{notice['id']}/review", json={"decision": "reject"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "comment"]
    back = ok(guide.post(f"/api/v1/notices/{notice['id']}/review",
                         json={"decision": "reject", "comment": "请写明增益 / state the gain"}))
    assert back["status"] == "draft" and back["review_comment"].startswith("请写明")
    ok(coord.post(f"/api/v1/notices/{notice['id']}/submit"))
    published = ok(guide.post(f"/api/v1/notices/{notice['id']}/review", json={"decision": "approve"}))
    assert published["status"] == "published" and published["open_for_objections"]
    import datetime as dt

    length = dt.datetime.fromisoformat(published["ends_at"]) - dt.datetime.fromisoformat(published["published_at"])
    assert length == dt.timedelta(days=5)
    state["notice"] = published


def test_objection_filed_and_answered_on_the_record(world: World, state: dict) -> None:
    nid = state["notice"]["id"]
    other = "D" if state["site"] == "C" else "C"
    member = clerk(world, other)
    seen = ok(member.get(f"/api/v1/rounds/{world.round}/notice"))
    assert seen["consents"] == {} and seen["figures"] == state["notice"]["figures"]
    sub_price = state["sub"]["terms"]["value_per_unit"]
    assert all(d["key"] != state["sub"]["key"] for d in seen["figures"]["details"]) and sub_price
    r = member.post(f"/api/v1/notices/{nid}/objections", json={"text": " "})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "text"]
    filed = ok(member.post(f"/api/v1/notices/{nid}/objections",
                           json={"text": "我厂也有闲置工人，为何未安排？/ we had idle workers too"}), 201)
    objection = filed["objections"][0]
    assert objection["enterprise_id"] == world.firms[other] and objection["answer"] is None
    assert world.api.as_("clerk-x").post(f"/api/v1/notices/{nid}/objections", json={"text": "x"}).status_code == 404
    assert member.post(f"/api/v1/objections/{objection['id']}/answer", json={"answer": "x"}).status_code == 403
    answered = ok(world.api.as_("coord").post(f"/api/v1/objections/{objection['id']}/answer",
                                              json={"answer": "贵厂工种与订单不符 / skills did not match the order"}))
    assert answered["objections"][0]["answer"].startswith("贵厂")
    assert world.api.as_("coord").post(f"/api/v1/objections/{objection['id']}/answer",
                                       json={"answer": "again"}).status_code == 409
    printed = member.get(f"/api/v1/notices/{nid}/print")
    assert printed.status_code == 200 and "@page { size: A4" in printed.text
    assert "我厂也有闲置工人" in printed.text and "贵厂工种与订单不符" in printed.text
    actions = [e["action"] for e in ok(world.api.as_("root").get("/api/v1/audit", params={"entity": "objection"}))]
    assert actions == ["objection.answer", "objection.file"]


def test_no_objection_after_the_notice_period() -> None:
    import datetime as dt

    from api.models import Notice, NoticeStatus
    from api.notices.service import in_period

    start = dt.datetime(2026, 12, 14, tzinfo=dt.UTC)
    notice = Notice(status=NoticeStatus.PUBLISHED.value, published_at=start, ends_at=start + dt.timedelta(days=5))
    assert in_period(notice, start + dt.timedelta(days=4, hours=23))
    assert not in_period(notice, start + dt.timedelta(days=5))
    assert not in_period(Notice(status=NoticeStatus.DRAFT.value), start)


def test_outcome_figures_match_the_records(world: World, state: dict) -> None:
    loan, sub = state["loan"], state["sub"]
    coord = world.api.as_("coord")
    data = ok(coord.get(f"/api/v1/alliances/{world.alliance}/outcomes"))
    first = next(r for r in data["rounds"] if r["round_id"] == world.round)
    # By hand: 60-minute units in 480-minute days; ratings (2+1+3)/3, (5+5+4)/3, (4+4+5)/3.
    assert first["worker_days_employed"] == pytest.approx(loan["terms"]["worker_days"] - 1 + KEPT * 60 / 480)
    assert first["value_subcontracted"] == pytest.approx(KEPT * 100.0)
    assert first["partner_pairs"] == 2
    assert (first["units_delivered"], first["units_on_time"]) == (sub["terms"]["units"], sub["terms"]["units"])
    assert first["on_time_share"] == 1.0
    assert first["average_rating"] == pytest.approx(round((6 + 14 + 13) / 9, 3))
    assert first["extra_over_hand"] == pytest.approx(state["notice"]["figures"]["gain_over_hand"])
    month = next(m for m in data["months"] if m["period"] == "2026-12")
    assert month["rounds"] == 2 and month["worker_days_employed"] == pytest.approx(first["worker_days_employed"])
    r = coord.get(f"/api/v1/alliances/{world.alliance}/outcomes/export")
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["按月 per month"].iter_rows(values_only=True))
    assert rows[1][0] == "2026-12" and rows[1][2] == pytest.approx(first["worker_days_employed"])
    assert ok(world.api.as_("guide").get(f"/api/v1/alliances/{world.alliance}/outcomes"))["rounds"]
    assert clerk(world, "A").get(f"/api/v1/alliances/{world.alliance}/outcomes").status_code == 403
    assert world.api.as_("coord2").get(f"/api/v1/alliances/{world.alliance}/outcomes").status_code == 404


def test_the_walk_filled_the_inboxes(world: World, state: dict) -> None:
    other = "D" if state["site"] == "C" else "C"

    def kinds(username: str) -> list[str]:
        return [m["kind"] for m in ok(world.api.as_(username).get("/api/v1/me/inbox"))["messages"]]

    assert "execution.to_confirm" in kinds("clerk-b") and "rating.to_give" in kinds("clerk-b")
    assert {"execution.disputed", "objection.filed", "notice.published"} <= set(kinds("coord"))
    assert {"notice.published", "objection.answered"} <= set(kinds(f"clerk-{other.lower()}"))
    # A firm's inbox never tells it of another pair's records.
    assert "execution.to_confirm" not in kinds(f"clerk-{other.lower()}")
    b = world.api.as_("clerk-b")
    assert ok(b.get("/api/v1/me/inbox"))["unread"] > 0
    assert ok(b.post("/api/v1/me/inbox/read-all"))["unread"] == 0
