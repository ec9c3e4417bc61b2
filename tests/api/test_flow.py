"""The whole flow, on SQLite and (when configured) PostgreSQL: reports -> job -> proposal -> review ->
confirmation -> re-plan that keeps the confirmed items and avoids the declined pair."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from alliance.replan import DEFAULT_CHANGE_PENALTY
from tests.api.conftest import ROUND_BODY, Backend, World, build_world, ok, start, wait_job


@pytest.fixture(scope="module")
def world(backend: Backend) -> Iterator[World]:
    client, api = start(backend)
    try:
        yield build_world(api)
    finally:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def state() -> dict:
    return {}


def test_job_runs_to_a_plan_with_progress(world: World, state: dict) -> None:
    coord = world.api.as_("coord")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
    assert job["status"] in ("queued", "running", "succeeded")
    assert job["options"]["time_limit_s"] == 5
    done = wait_job(coord, job["id"])
    assert done["status"] == "succeeded", done
    assert done["progress"]["objective"] == pytest.approx(done["objective"])
    assert done["attempts"] == 1 and done["started_at"] and done["finished_at"]
    plan = ok(coord.get(f"/api/v1/jobs/{job['id']}/plan"))
    assert plan["status"] == "OPTIMAL"
    sites = {r["site"] for r in plan["production"]}
    assert "A" in sites and sites & {"C", "D"}, plan["production"]
    assert {(ln["from"], ln["to"]) for ln in plan["loans"]} == {("B", "A")}
    snapshot = ok(coord.get(f"/api/v1/jobs/{job['id']}/snapshot"))
    assert [e["id"] for e in snapshot["enterprises"]] == ["A", "B", "C", "D"]
    assert [o["id"] for o in snapshot["orders"]] == ["A-o1"]
    state["job"] = job["id"]
    state["plan"] = plan


def test_proposal_items_follow_the_plan(world: World, state: dict) -> None:
    coord = world.api.as_("coord")
    proposal = ok(coord.post(f"/api/v1/jobs/{state['job']}/proposals"), 201)
    assert proposal["status"] == "draft" and proposal["version"] == 1 and proposal["changes"] is None
    items = ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))
    keys = {i["key"] for i in items}
    plan = state["plan"]
    expected = {f"subcontract:{r['order']}:{r['site']}" for r in plan["production"] if r["site"] != "A"}
    expected |= {f"loan:{ln['skill']}:{ln['from']}:{ln['to']}" for ln in plan["loans"]}
    assert keys == expected
    for item in items:
        assert item["status"] == "pending"
        if item["kind"] == "loan":
            assert item["terms"]["worker_days"] == sum(r["workers"] for r in item["rows"])
            assert item["terms"]["wage_reimbursed"] == pytest.approx(item["terms"]["worker_days"] * 200.0)
        else:
            units = sum(r["quantity"] for r in item["rows"])
            assert item["terms"]["units"] == units
            assert item["terms"]["settlement_value"] == pytest.approx(units * 100)
    # One proposal per job.
    assert coord.post(f"/api/v1/jobs/{state['job']}/proposals").status_code == 409
    state["proposal"] = proposal["id"]
    state["items"] = {i["key"]: i for i in items}


def test_review_reject_needs_a_comment_then_approve(world: World, state: dict) -> None:
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    pid = state["proposal"]
    # Not submitted yet: nothing to review.
    assert guide.post(f"/api/v1/proposals/{pid}/review", json={"decision": "approve"}).status_code == 409
    # Firms do not see drafts at all.
    assert world.api.as_("clerk-a").get(f"/api/v1/proposals/{pid}").status_code == 404
    ok(coord.post(f"/api/v1/proposals/{pid}/submit"))
    bad = guide.post(f"/api/v1/proposals/{pid}/review", json={"decision": "reject", "comment": "  "})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["loc"] == ["body", "comment"]
    # (Rejection and the new version that must follow it: tests/api/test_reviews.py, test_lifecycle.py.)
    approved = ok(guide.post(f"/api/v1/proposals/{pid}/review", json={"decision": "approve", "comment": "同意"}))
    assert approved["status"] == "approved"
    assert [(r["decision"], r["guide_id"]) for r in approved["reviews"]] == [("approve", world.users["guide"])]
    assert approved["reviews"][0]["comment"] == "同意"


def test_each_firm_sees_only_its_own_items(world: World, state: dict) -> None:
    pid = state["proposal"]
    for code in ("A", "B", "C", "D"):
        clerk = world.api.as_(f"clerk-{code.lower()}")
        mine = ok(clerk.get(f"/api/v1/proposals/{pid}/items"))
        for item in mine:
            assert world.firms[code] in (item["first_party"]["id"], item["second_party"]["id"])
            # The round's dates come with the item: row day d is start_date + d days.
            assert (item["round_id"], item["start_date"]) == (world.round, ROUND_BODY["start_date"])
            assert item["counterparty"]["id"] != world.firms[code]
        expected = [k for k, i in state["items"].items()
                    if world.firms[code] in (i["first_party"]["id"], i["second_party"]["id"])]
        assert sorted(i["key"] for i in mine) == sorted(expected)
        brief = ok(clerk.get(f"/api/v1/proposals/{pid}"))
        assert set(brief) == {"id", "round_id", "version", "status", "my_items", "my_pending", "final_status",
                              "outdated", "next_version"}
    my_items = ok(world.api.as_("clerk-a").get("/api/v1/me/items"))
    assert {(i["round_id"], i["start_date"]) for i in my_items} == {(world.round, ROUND_BODY["start_date"])}
    roles = {i["my_role"] for i in my_items}
    assert roles <= {"sends", "borrows"} and "borrows" in roles


def _item(state: dict, prefix: str) -> dict:
    return next(i for k, i in state["items"].items() if k.startswith(prefix))


def test_confirm_and_decline(world: World, state: dict) -> None:
    loan = _item(state, "loan:forming:B:A")
    sub = _item(state, "subcontract:A-o1:")
    site_code = sub["second_party"]["code"]
    state["declined_site"] = site_code
    clerk_a, clerk_b = world.api.as_("clerk-a"), world.api.as_("clerk-b")
    site_clerk = world.api.as_(f"clerk-{site_code.lower()}")
    # A decline needs a reason.
    r = site_clerk.post(f"/api/v1/items/{sub['id']}/respond", json={"answer": "decline"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "reason"]
    # One confirmation is not enough...
    half = ok(clerk_a.post(f"/api/v1/items/{loan['id']}/respond", json={"answer": "confirm"}))
    assert half["status"] == "pending"
    # ...both parties make it.
    both = ok(clerk_b.post(f"/api/v1/items/{loan['id']}/respond", json={"answer": "confirm"}))
    assert both["status"] == "confirmed"
    # An answer may change until the coordinator acts on it (issue 11): declined, then confirmed again.
    changed = ok(clerk_b.post(f"/api/v1/items/{loan['id']}/respond", json={"answer": "decline", "reason": "x"}))
    assert changed["status"] == "declined" and changed["reason"] == "x"
    back = ok(clerk_b.post(f"/api/v1/items/{loan['id']}/respond", json={"answer": "confirm"}))
    assert back["status"] == "confirmed" and back["reason"] is None
    # A third firm cannot even see the item.
    assert world.api.as_("clerk-d" if site_code == "C" else "clerk-c").post(
        f"/api/v1/items/{loan['id']}/respond", json={"answer": "confirm"}).status_code == 404
    # The owner confirms the sub-contract, the site declines it: one decline declines.
    ok(clerk_a.post(f"/api/v1/items/{sub['id']}/respond", json={"answer": "confirm"}))
    declined = ok(site_clerk.post(f"/api/v1/items/{sub['id']}/respond",
                                  json={"answer": "decline", "reason": "窑炉检修 / kiln maintenance"}))
    assert declined["status"] == "declined" and declined["reason"].startswith("窑炉")
    assert {r["answer"] for r in declined["responses"]} == {"confirm", "decline"}


def test_replan_keeps_confirmed_and_avoids_declined_pair(world: World, state: dict) -> None:
    coord = world.api.as_("coord")
    bad = coord.post(f"/api/v1/proposals/{state['proposal']}/replan", json={"time_limit_s": 5, "change_penalty": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "change_penalty"]
    job = ok(coord.post(f"/api/v1/proposals/{state['proposal']}/replan", json={"time_limit_s": 5}), 202)
    assert job["replan_of"] == state["job"]
    assert job["replan"]["change_penalty"] == DEFAULT_CHANGE_PENALTY  # unanswered items move only for that much
    site = state["declined_site"]
    assert job["replan"]["forbidden_pairs"] == [sorted(["A", site])]
    loan = _item(state, "loan:forming:B:A")
    assert job["replan"]["loans"] == loan["rows"]
    done = wait_job(coord, job["id"])
    assert done["status"] == "succeeded", done
    plan = ok(coord.get(f"/api/v1/jobs/{job['id']}/plan"))
    assert site not in {r["site"] for r in plan["production"]}
    assert [ln for ln in plan["loans"] if (ln["from"], ln["to"]) == ("B", "A")] == loan["rows"]
    other = "D" if site == "C" else "C"
    assert other in {r["site"] for r in plan["production"]}

    proposal = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    assert proposal["version"] == 2 and proposal["previous_id"] == state["proposal"]
    changes = proposal["changes"]
    assert f"subcontract:A-o1:{site}" in changes["removed"]
    assert f"subcontract:A-o1:{other}" in changes["added"]
    assert "loan:forming:B:A" in changes["kept"]
    # Each change says before -> after: the declined site's units and dated days, and who makes them now.
    details = {d["key"]: d for d in changes["details"]}
    gone = details[f"subcontract:A-o1:{site}"]
    assert gone["change"] == "removed" and gone["after"] is None
    assert gone["before"]["second"] == site and gone["before"]["units"] == sum(
        r["quantity"] for r in state["items"][f"subcontract:A-o1:{site}"]["rows"])
    assert gone["before"]["days"][0]["date"] == ROUND_BODY["start_date"] or gone["before"]["days"][0]["day"] > 0
    assert gone["replaced_by"] == [f"subcontract:A-o1:{other}"]
    new = details[f"subcontract:A-o1:{other}"]
    assert new["change"] == "added" and new["before"] is None and new["after"]["second"] == other
    assert new["after"]["units"] == sum(r["quantity"] for r in plan["production"] if r["site"] == other)
    # Every item was answered: nothing unanswered was moved.
    assert changes["moved"] == 0
    items = {i["key"]: i for i in ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))}
    carried = items["loan:forming:B:A"]
    assert carried["status"] == "confirmed" and carried["carried_from_id"] == loan["id"]
    assert items[f"subcontract:A-o1:{other}"]["status"] == "pending"
    state["proposal2"] = proposal["id"]
    state["loan_item"] = loan["id"]


def test_audit_records_the_flow(world: World, state: dict) -> None:
    admin = world.api.as_("root")
    entries = ok(admin.get("/api/v1/audit", params={"entity": "proposal", "entity_id": str(state["proposal"])}))
    actions = [e["action"] for e in reversed(entries)]
    assert actions == ["proposal.create", "proposal.submit", "proposal.approved", "proposal.needs_replan"]
    approved = entries[-3]
    assert approved["actor_id"] == world.users["guide"]
    assert approved["before"]["status"] == "submitted" and approved["after"]["status"] == "approved"
    assert approved["after"]["comment"] == "同意"
    item_entries = ok(admin.get("/api/v1/audit", params={"entity": "proposal_item"}))
    assert {e["action"] for e in item_entries} == {"item.confirm", "item.decline"}
    job_entries = ok(admin.get("/api/v1/audit", params={"entity": "job", "entity_id": str(state["job"])}))
    assert [e["action"] for e in reversed(job_entries)] == ["job.create", "job.start", "job.succeeded"]
    assert job_entries[-1]["actor_id"] == world.users["coord"]
    # Coordinators do not read the audit log.
    assert world.api.as_("coord").get("/api/v1/audit").status_code == 403


def test_agreements_of_confirmed_items(world: World, state: dict) -> None:
    loan_id = state["loan_item"]
    text = world.api.as_("clerk-b").get(f"/api/v1/items/{loan_id}/agreement", params={"format": "text"})
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    body = text.text
    assert body.startswith("帮工协议")
    loan = _item(state, "loan:forming:B:A")
    worker_days = loan["terms"]["worker_days"]
    assert f"{worker_days} 人·天 × 200.00 元/人·天 = {worker_days * 200:,.2f} 元" in body
    for must in ("劳动合同", "工伤保险", "安全培训", "防护用品", "自愿同意", "不加价", "480 分钟"):
        assert must in body, must
    assert body.index("帮工协议") < body.index("Worker-lending agreement")
    html = world.api.as_("coord").get(f"/api/v1/items/{loan_id}/agreement")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<h1>帮工协议</h1>" in html.text and "瓷厂 B" in html.text
    # The declined sub-contract has no agreement; a third firm does not even see the loan.
    declined = _item(state, f"subcontract:A-o1:{state['declined_site']}")
    assert world.api.as_("clerk-a").get(f"/api/v1/items/{declined['id']}/agreement").status_code == 409
    assert world.api.as_("clerk-c").get(f"/api/v1/items/{loan_id}/agreement").status_code == 404


def test_processing_agreement_after_confirmation(world: World, state: dict) -> None:
    items = ok(world.api.as_("coord").get(f"/api/v1/proposals/{state['proposal2']}/items"))
    sub = next(i for i in items if i["kind"] == "subcontract" and i["status"] == "pending")
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    ok(coord.post(f"/api/v1/proposals/{state['proposal2']}/submit"))
    ok(guide.post(f"/api/v1/proposals/{state['proposal2']}/review", json={"decision": "approve"}))
    for code in (sub["first_party"]["code"], sub["second_party"]["code"]):
        ok(world.api.as_(f"clerk-{code.lower()}").post(f"/api/v1/items/{sub['id']}/respond",
                                                        json={"answer": "confirm"}))
    text = ok_text(world.api.as_("clerk-a").get(f"/api/v1/items/{sub['id']}/agreement", params={"format": "text"}))
    assert text.startswith("委托加工协议")
    units = sub["terms"]["units"]
    assert f"共 {units} 件" in text and f"{units * 100:,.2f} 元" in text
    assert "2026年12月9日" in text and "9 Dec 2026" in text  # due day 2 of a round starting 2026-12-07
    assert "质量等级 0" in text
    chinese = "\n".join(line for line in text.splitlines() if not line.startswith("   ") or "。" in line)
    # Chinese clauses name the process by its catalogue name and days by their dates, never a code or "第N天".
    assert "工序：成型" in text and "forming" not in chinese and "第" not in chinese.replace("第三方", "")


def ok_text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return str(response.text)


def test_exports(world: World, state: dict) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    coord = world.api.as_("coord")
    r = coord.get(f"/api/v1/jobs/{state['job']}/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "汇总 summary"
    production = wb["生产明细 production"]
    rows = list(production.iter_rows(values_only=True))
    assert rows[0] == ("订单 order", "生产企业 site", "日期 date", "天 day", "数量 quantity")
    start = dt.date(2026, 12, 7)
    assert sorted(rows[1:]) == sorted((p["order"], p["site"], (start + dt.timedelta(days=p["day"])).isoformat(),
                                       p["day"], p["quantity"]) for p in state["plan"]["production"])
    # A person reads the export: skills by name and the status in Chinese, never a code.
    loans = list(wb["借工明细 loans"].iter_rows(values_only=True))
    assert loans[1:] and all(row[0] == "成型" for row in loans[1:])
    summary = dict(wb["汇总 summary"].iter_rows(values_only=True))
    assert summary["状态 status"] == "已证明最优"
    r = coord.get(f"/api/v1/jobs/{state['job']}/export", params={"format": "csv", "table": "settlement"})
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][0].endswith("enterprise") and len(table) > 1
    # Without a table the CSV holds the plan's production rows (MODEL.md's canonical part).
    r = coord.get(f"/api/v1/jobs/{state['job']}/export", params={"format": "csv"})
    assert r.status_code == 200 and "plan-" in r.headers["content-disposition"]
    assert r.headers["content-disposition"].endswith('-production.csv"')
    # Firms do not export whole plans.
    assert world.api.as_("clerk-a").get(f"/api/v1/jobs/{state['job']}/export").status_code == 403
