"""The guide's desk: the review queue across assigned alliances and the history of decisions.

Alliance 1 (guide 'guide') and alliance 2 (guide 'guide2') each get a submitted proposal; the steps build on each
other in file order: queue contents, who may call, a decision moving a proposal from the queue to the history, and
an unassigned guide losing the alliance from both lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import ROUND_BODY, Backend, World, build_world, ok, report_body, start, wait_job

QUEUE = "/api/v1/reviews/queue"
HISTORY = "/api/v1/reviews/history"


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api)
    finally:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    return {}


def _proposal(world: World, coord: str, round_id: int, submit: bool = True) -> dict[str, Any]:
    api = world.api.as_(coord)
    job = ok(api.post(f"/api/v1/rounds/{round_id}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(api, job["id"])["status"] == "succeeded"
    proposal: dict[str, Any] = ok(api.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    if submit:
        proposal = ok(api.post(f"/api/v1/proposals/{proposal['id']}/submit"))
    return proposal


def test_the_queue_lists_submitted_proposals_of_the_assigned_alliances(world: World, state: dict[str, Any]) -> None:
    p1 = _proposal(world, "coord", world.round)
    p2 = _proposal(world, "coord2", world.other_round)
    draft = _proposal(world, "coord", world.round, submit=False)  # a draft waits for nobody
    state.update(p1=p1, p2=p2, draft=draft)

    queue = ok(world.api.as_("guide").get(QUEUE))
    assert [e["proposal_id"] for e in queue] == [p1["id"]]
    entry = queue[0]
    assert entry["version"] == 1 and entry["job_id"] == p1["job_id"] and entry["previous_id"] is None
    assert entry["alliance"] == {"id": world.alliance, "code": "dehua-test", "name": "测试联盟一"}
    assert entry["round"] == {"id": world.round, "name": ROUND_BODY["name"], "start_date": ROUND_BODY["start_date"],
                              "horizon_days": ROUND_BODY["horizon_days"], "status": "open"}
    assert entry["submitted_at"] == p1["submitted_at"] and entry["created_at"] == p1["created_at"]
    assert entry["earlier_decisions"] == 0
    figures, summary = entry["figures"], p1["summary"]
    assert figures["objective"] == pytest.approx(summary["objective"])
    assert figures["plan_status"] == summary["plan_status"] == "OPTIMAL"
    assert (figures["subcontracts"], figures["loans"]) == (summary["subcontracts"], summary["loans"])
    assert figures["subcontracts"] + figures["loans"] == sum(p1["item_counts"].values()) > 0
    assert figures["share_cleared"] == pytest.approx(summary["figures"]["after"]["share_cleared"])
    assert 0 < figures["share_cleared"] <= 1
    assert figures["changes"] is None  # a first version

    assert [e["proposal_id"] for e in ok(world.api.as_("guide2").get(QUEUE))] == [p2["id"]]
    # The operator sees every alliance, the oldest submission first.
    assert [e["proposal_id"] for e in ok(world.api.as_("root").get(QUEUE))] == [p1["id"], p2["id"]]
    assert ok(world.api.as_("guide").get(HISTORY)) == []


@pytest.mark.parametrize("role", ["coord", "clerk-a"])
@pytest.mark.parametrize("path", [QUEUE, HISTORY])
def test_only_guides_and_the_operator_read_the_desk(world: World, role: str, path: str) -> None:
    r = world.api.as_(role).get(path)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("application/problem+json")


def _changed_proposal(world: World, quantity: int) -> dict[str, Any]:
    """A's backlog changes (so the plan does), then a new version is planned and submitted."""
    body = report_body("A")
    body["orders"][0]["quantity"] = quantity
    ok(world.api.as_("clerk-a").put(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}", json=body), 201)
    return _proposal(world, "coord", world.round)


def test_a_decision_moves_a_proposal_from_the_queue_to_the_history(world: World, state: dict[str, Any]) -> None:
    guide, coord = world.api.as_("guide"), world.api.as_("coord")
    pid = state["p1"]["id"]
    ok(guide.post(f"/api/v1/proposals/{pid}/review", json={"decision": "reject", "comment": "请核对运输天数"}))
    assert ok(guide.get(QUEUE)) == []
    [rejected] = ok(guide.get(HISTORY))
    assert (rejected["proposal_id"], rejected["version"], rejected["decision"]) == (pid, 1, "reject")
    assert rejected["comment"] == "请核对运输天数" and rejected["proposal_status"] == "rejected"
    assert rejected["guide_id"] == world.users["guide"] and rejected["guide_name"] == "guide"
    assert rejected["alliance"]["id"] == world.alliance and rejected["round"]["id"] == world.round

    # Not again as it was (issue 11): a new version must differ from the rejected one.
    again = coord.post(f"/api/v1/proposals/{pid}/submit")
    assert again.status_code == 409 and "不能原样再次提交" in again.json()["detail"]
    p3 = _changed_proposal(world, 54)
    [entry] = ok(guide.get(QUEUE))
    assert entry["proposal_id"] == p3["id"] and entry["since_rejected"]["rejected_id"] == pid
    assert entry["since_rejected"]["comment"] == "请核对运输天数"
    assert entry["since_rejected"]["changed"] or entry["since_rejected"]["added"]
    ok(guide.post(f"/api/v1/proposals/{p3['id']}/review", json={"decision": "approve"}))
    assert ok(guide.get(QUEUE)) == []
    history = ok(guide.get(HISTORY))
    # Each row shows its own proposal's status now: the rejected version stays rejected.
    assert [(h["decision"], h["proposal_status"]) for h in history] == [("approve", "approved"),
                                                                          ("reject", "rejected")]
    assert history[0]["id"] > history[1]["id"]

    # Pages, newest first.
    assert [h["id"] for h in ok(guide.get(HISTORY, params={"limit": 1}))] == [history[0]["id"]]
    assert [h["id"] for h in ok(guide.get(HISTORY, params={"before_id": history[0]["id"]}))] == [history[1]["id"]]
    assert guide.get(HISTORY, params={"limit": 0}).status_code == 422

    # Another guide's decisions are not in this guide's history, and the other way round; the operator sees all.
    ok(world.api.as_("guide2").post(f"/api/v1/proposals/{state['p2']['id']}/review", json={"decision": "approve"}))
    assert [h["proposal_id"] for h in ok(world.api.as_("guide2").get(HISTORY))] == [state["p2"]["id"]]
    assert len(ok(guide.get(HISTORY))) == 2
    everything = ok(world.api.as_("root").get(HISTORY))
    assert [(h["proposal_id"], h["guide_id"]) for h in everything] == [
        (state["p2"]["id"], world.users["guide2"]), (p3["id"], world.users["guide"]), (pid, world.users["guide"])]
    state["history"] = history


def test_a_later_version_shows_what_changed(world: World, state: dict[str, Any]) -> None:
    # The draft made before the rejection has the rejected version's items: it cannot go to the guide.
    same = world.api.as_("coord").post(f"/api/v1/proposals/{state['draft']['id']}/submit")
    assert same.status_code == 409 and "完全相同" in same.json()["detail"]
    submitted = _changed_proposal(world, 48)
    [entry] = ok(world.api.as_("guide").get(QUEUE))
    assert entry["proposal_id"] == submitted["id"] and entry["version"] == 4
    assert entry["previous_id"] == submitted["previous_id"] is not None
    changes = submitted["changes"]
    assert entry["figures"]["changes"] == {g: len(changes[g]) for g in ("added", "changed", "removed", "kept")}
    state["queued"] = submitted


def test_an_unassigned_guide_no_longer_sees_the_alliance(world: World, state: dict[str, Any]) -> None:
    admin, guide = world.api.as_("root"), world.api.as_("guide")
    assignment = f"/api/v1/alliances/{world.alliance}/guides/{world.users['guide']}"
    ok(admin.delete(assignment), 204)
    try:
        assert ok(guide.get(QUEUE)) == []
        assert ok(guide.get(HISTORY)) == []
        # The proposals themselves are out of reach too, exactly like missing ones.
        assert guide.get(f"/api/v1/proposals/{state['queued']['id']}").status_code == 404
    finally:
        ok(admin.put(assignment), 204)
    assert [e["proposal_id"] for e in ok(guide.get(QUEUE))] == [state["queued"]["id"]]
    assert [h["id"] for h in ok(guide.get(HISTORY))] == [h["id"] for h in state["history"]]
