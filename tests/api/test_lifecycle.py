"""Round and proposal lifecycle (issues 10 and 11): the final status once every item is answered, the report
versions a proposal was built from and the outdated-data warning, the reporting deadline, the review loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Backend, World, build_world, ok, report_body, start, wait_job


@pytest.fixture(scope="module")
def world(backend: Backend) -> Iterator[World]:
    client, api = start(backend)
    try:
        yield build_world(api)
    finally:
        client.__exit__(None, None, None)


def approved_proposal(world: World) -> dict[str, Any]:
    """A fresh plan of the round, proposed, submitted and approved; with its items by key."""
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    proposal = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    ok(coord.post(f"/api/v1/proposals/{proposal['id']}/submit"))
    proposal = ok(guide.post(f"/api/v1/proposals/{proposal['id']}/review", json={"decision": "approve"}))
    items = ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))
    return {**proposal, "items": {i["key"]: i for i in items}}


def clerk_of(world: World, firm_id: int) -> Any:
    code = next(c for c, i in world.firms.items() if i == firm_id)
    return world.api.as_(f"clerk-{code.lower()}")


def answer_all(world: World, item: dict[str, Any], answer: str = "confirm") -> dict[str, Any]:
    body = {"answer": answer, **({"reason": "产能不足 / no capacity"} if answer == "decline" else {})}
    out = None
    # One decline declines the item; a confirmation needs both firms.
    for party in (item["first_party"], item["second_party"])[: 1 if answer == "decline" else 2]:
        out = ok(clerk_of(world, party["id"]).post(f"/api/v1/items/{item['id']}/respond", json=body))
    assert out is not None
    return out


def test_a_decline_among_the_answers_calls_for_a_replan(world: World) -> None:
    coord = world.api.as_("coord")
    proposal = approved_proposal(world)
    first, *rest = proposal["items"].values()
    assert len(rest) >= 1 and all(i["status"] == "pending" for i in proposal["items"].values())
    answer_all(world, first, "decline")
    for item in rest:
        answer_all(world, item)
    after = ok(coord.get(f"/api/v1/proposals/{proposal['id']}"))
    assert after["final_status"] == "needs_replan"
    # The round's latest approved proposal is no longer settled.
    assert ok(coord.get(f"/api/v1/rounds/{world.round}"))["plan_state"] == "needs_replan"


def test_every_item_confirmed_settles_the_proposal_and_the_round(world: World) -> None:
    coord = world.api.as_("coord")
    proposal = approved_proposal(world)
    assert proposal["final_status"] == "answering"
    assert ok(coord.get(f"/api/v1/rounds/{world.round}"))["plan_state"] == "answering"
    # Items confirmed in the previous version come carried over; the others wait for answers.
    *first, last = [i for i in proposal["items"].values() if i["status"] == "pending"]
    for item in first:
        answer_all(world, item)
    assert ok(coord.get(f"/api/v1/proposals/{proposal['id']}"))["final_status"] == "answering"
    answer_all(world, last)
    settled = ok(coord.get(f"/api/v1/proposals/{proposal['id']}"))
    assert settled["status"] == "approved" and settled["final_status"] == "settled"
    assert ok(coord.get(f"/api/v1/rounds/{world.round}"))["plan_state"] == "settled"
    rounds = ok(coord.get(f"/api/v1/alliances/{world.alliance}/rounds"))
    assert next(r for r in rounds if r["id"] == world.round)["plan_state"] == "settled"
    # The firms read it on their items and on the brief.
    clerk = clerk_of(world, last["first_party"]["id"])
    assert ok(clerk.get(f"/api/v1/proposals/{proposal['id']}"))["final_status"] == "settled"
    mine = [i for i in ok(clerk.get("/api/v1/me/items")) if i["proposal_id"] == proposal["id"]]
    assert mine and {i["proposal_final_status"] for i in mine} == {"settled"}
    log = ok(world.api.as_("root").get("/api/v1/audit", params={"entity": "proposal",
                                                               "entity_id": str(proposal["id"])}))
    assert "proposal.settled" in {e["action"] for e in log}


def test_a_report_after_the_proposal_marks_it_outdated(world: World) -> None:
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    proposal = approved_proposal(world)
    assert proposal["outdated_firms"] == [] and proposal["report_versions"]
    assert set(proposal["report_versions"]) == {str(i) for i in world.firms.values()}
    loan = proposal["items"]["loan:forming:B:A"]
    # B corrects its report: one worker fewer to lend on day 0.
    body = report_body("B")
    body["idle_workers"] = {"forming": [0, 1, 1]}
    body["lendable_workers"] = {"forming": [0, 1, 1]}
    clerk_b = world.api.as_("clerk-b")
    ok(clerk_b.put(f"/api/v1/rounds/{world.round}/reports/{world.firms['B']}", json=body), 201)
    after = ok(coord.get(f"/api/v1/proposals/{proposal['id']}"))
    assert [f["code"] for f in after["outdated_firms"]] == ["B"]
    assert after["outdated_items"] == [loan["id"]]
    items = {i["key"]: i for i in ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))}
    assert items["loan:forming:B:A"]["outdated"] is True
    assert not any(i["outdated"] for k, i in items.items() if k != "loan:forming:B:A")
    # The firms read it on their items, the lender and the borrower alike.
    for clerk in ("clerk-a", "clerk-b"):
        mine = ok(world.api.as_(clerk).get("/api/v1/me/items"))
        assert next(i for i in mine if i["id"] == loan["id"])["outdated"] is True
    assert ok(clerk_b.get(f"/api/v1/proposals/{proposal['id']}"))["outdated"] is True

    # One click: a new job on the latest reports, keeping nothing of B, from this proposal.
    job = ok(coord.post(f"/api/v1/proposals/{proposal['id']}/refresh", json={"time_limit_s": 5}), 202)
    assert job["replan"]["from_proposal"] == proposal["id"] and job["replan"]["loans"] == []
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    fresh = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    assert fresh["previous_id"] == proposal["id"] and fresh["outdated_firms"] == []
    plan = ok(coord.get(f"/api/v1/jobs/{job['id']}/plan"))
    assert all(ln["day"] != 0 for ln in plan["loans"] if ln["from"] == "B")
    # Nothing changed since: nothing to refresh.
    assert coord.post(f"/api/v1/proposals/{fresh['id']}/refresh", json={}).status_code == 409
    # The guide's queue names the firm when an outdated proposal waits for a decision.
    ok(coord.post(f"/api/v1/proposals/{fresh['id']}/submit"))
    ok(world.api.as_("clerk-c").put(f"/api/v1/rounds/{world.round}/reports/{world.firms['C']}",
                                    json=report_body("C")), 201)
    entry = next(e for e in ok(guide.get("/api/v1/reviews/queue")) if e["proposal_id"] == fresh["id"])
    assert entry["outdated_firms"] == ["C"]
    ok(guide.post(f"/api/v1/proposals/{fresh['id']}/review", json={"decision": "reject", "comment": "填报已变"}))


def test_reports_lock_after_the_deadline_until_the_coordinator_reopens(world: World) -> None:
    coord, clerk = world.api.as_("coord"), world.api.as_("clerk-d")
    url = f"/api/v1/rounds/{world.round}/report-deadline"
    naive = coord.put(url, json={"report_deadline": "2026-01-01T10:00:00"})
    assert naive.status_code == 422 and "report_deadline" in naive.text
    rnd = ok(coord.put(url, json={"report_deadline": "2026-01-01T18:00:00+08:00"}))
    assert rnd["reports_locked"] is True
    report = f"/api/v1/rounds/{world.round}/reports/{world.firms['D']}"
    locked = clerk.put(report, json=report_body("D"))
    assert locked.status_code == 409
    detail = locked.json()["detail"]
    assert "2026-01-01 18:00（北京时间）" in detail and "2026-01-01 10:00 UTC" in detail
    # The coordinator is held by the deadline too; only reopening lifts it.
    assert coord.put(report, json=report_body("D")).status_code == 409
    assert clerk.put(url, json={"report_deadline": None}).status_code == 403
    reopened = ok(coord.put(url, json={"report_deadline": None}))
    assert reopened["reports_locked"] is False and reopened["report_deadline"] is None
    ok(clerk.put(report, json=report_body("D")), 201)
    later = ok(coord.put(url, json={"report_deadline": "2099-01-01T00:00:00+08:00"}))
    assert later["reports_locked"] is False
    ok(clerk.put(report, json=report_body("D")), 201)


def test_answers_change_until_the_coordinator_replans_and_firms_see_the_new_version_coming(world: World) -> None:
    coord = world.api.as_("coord")
    proposal = approved_proposal(world)
    item = next(i for i in proposal["items"].values() if i["status"] == "pending")
    clerk = clerk_of(world, item["first_party"]["id"])
    url = f"/api/v1/items/{item['id']}/respond"
    assert ok(clerk.post(url, json={"answer": "decline", "reason": "人手不够"}))["status"] == "declined"
    assert ok(clerk.post(url, json={"answer": "confirm"}))["status"] == "pending"  # the other firm still answers
    assert ok(clerk.post(url, json={"answer": "decline", "reason": "还是不行"}))["reason"] == "还是不行"
    assert ok(clerk.get(f"/api/v1/items/{item['id']}"))["next_version"] is None

    job = ok(coord.post(f"/api/v1/proposals/{proposal['id']}/replan", json={"time_limit_s": 5}), 202)
    assert ok(clerk.get(f"/api/v1/items/{item['id']}"))["next_version"] == "replanning"
    changed = clerk.post(url, json={"answer": "confirm"})
    assert changed.status_code == 409 and "重新计划" in changed.json()["detail"]
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    assert clerk.post(url, json={"answer": "confirm"}).status_code == 409
    assert ok(clerk.get(f"/api/v1/items/{item['id']}"))["next_version"] == "replanning"
    new = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    assert ok(clerk.get(f"/api/v1/items/{item['id']}"))["next_version"] == "preparing"
    assert ok(clerk.get(f"/api/v1/proposals/{proposal['id']}"))["next_version"] == "preparing"
    ok(coord.post(f"/api/v1/proposals/{new['id']}/submit"))
    ok(world.api.as_("guide").post(f"/api/v1/proposals/{new['id']}/review", json={"decision": "approve"}))
    assert ok(clerk.get(f"/api/v1/items/{item['id']}"))["next_version"] == "superseded"


def test_a_rejected_version_is_not_resubmitted_unchanged(world: World) -> None:
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    first = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    ok(coord.post(f"/api/v1/proposals/{first['id']}/submit"))
    ok(guide.post(f"/api/v1/proposals/{first['id']}/review", json={"decision": "reject", "comment": "外协太远"}))
    refused = coord.post(f"/api/v1/proposals/{first['id']}/submit")
    assert refused.status_code == 409 and f"第 {first['version']} 版已被驳回" in refused.json()["detail"]
    # A's backlog changes: the refreshed plan differs, and the guide sees what changed since the rejection.
    body = report_body("A")
    body["orders"][0]["quantity"] = 30
    ok(world.api.as_("clerk-a").put(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}", json=body), 201)
    job = ok(coord.post(f"/api/v1/proposals/{first['id']}/refresh", json={"time_limit_s": 5}), 202)
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    second = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    since = second["since_rejected"]
    assert since["rejected_id"] == first["id"] and since["comment"] == "外协太远"
    assert since["added"] or since["changed"] or since["removed"]
    ok(coord.post(f"/api/v1/proposals/{second['id']}/submit"))
    entry = next(e for e in ok(guide.get("/api/v1/reviews/queue")) if e["proposal_id"] == second["id"])
    assert entry["since_rejected"]["rejected_version"] == first["version"]
