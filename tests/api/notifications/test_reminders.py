"""Notifications of the review flow and the "report due" reminder (issue 14 item 7).

A submitted proposal reaches the alliance's guide and nobody else's; an approval tells the coordinator and the
clerks of the firms with items to answer; a rejection tells the coordinator, with the comment.  The report
reminder goes, once per deadline, to the clerks of firms that have not reported, and again when the deadline
moves; two web processes (threads on PostgreSQL) racing for it send it once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from api.notifications.reminders import remind_due_reports
from tests.api.conftest import ROUND_BODY, Backend, World, build_world, ok, report_body, start, wait_job


@pytest.fixture(scope="module")
def app_world(backend: Backend) -> Iterator[tuple[Any, World]]:
    client, api = start(backend)
    try:
        yield client, build_world(api)
    finally:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(app_world: tuple[Any, World]) -> World:
    return app_world[1]


@pytest.fixture(scope="module")
def factory(app_world: tuple[Any, World]) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app_world[0].app.state.session_factory
    return factory


def kinds(world: World, username: str) -> list[str]:
    return [m["kind"] for m in ok(world.api.as_(username).get("/api/v1/me/inbox"))["messages"]]


def messages(world: World, username: str, kind: str) -> list[dict[str, Any]]:
    return [m for m in ok(world.api.as_(username).get("/api/v1/me/inbox"))["messages"] if m["kind"] == kind]


def proposal(world: World, round_id: int, coord: str = "coord") -> dict[str, Any]:
    api = world.api.as_(coord)
    job = ok(api.post(f"/api/v1/rounds/{round_id}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(api, job["id"])["status"] == "succeeded"
    created: dict[str, Any] = ok(api.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    return created


def test_a_submitted_proposal_reaches_the_guide_of_its_alliance_only(world: World) -> None:
    p = proposal(world, world.round)
    assert "proposal.to_review" not in kinds(world, "guide")  # a draft waits for nobody
    ok(world.api.as_("coord").post(f"/api/v1/proposals/{p['id']}/submit"))
    [message] = messages(world, "guide", "proposal.to_review")
    assert message["link"] == f"/proposals/{p['id']}"
    assert ROUND_BODY["name"] in message["text_zh"] and "待您审核" in message["text_zh"]
    for other in ("guide2", "coord", "coord2", "clerk-a", "clerk-x"):
        assert "proposal.to_review" not in kinds(world, other), other


def test_an_approval_asks_the_firms_with_items_to_confirm(world: World) -> None:
    [submitted] = ok(world.api.as_("guide").get("/api/v1/reviews/queue"))
    pid = submitted["proposal_id"]
    ok(world.api.as_("guide").post(f"/api/v1/proposals/{pid}/review", json={"decision": "approve", "comment": ""}))
    assert len(messages(world, "coord", "proposal.approved")) == 1
    items = ok(world.api.as_("coord").get(f"/api/v1/proposals/{pid}/items"))
    parties = {code for item in items for code in (item["first_party"]["code"], item["second_party"]["code"])}
    assert parties, "the plan has items"
    for code in ("A", "B", "C", "D"):
        got = messages(world, f"clerk-{code.lower()}", "items.to_confirm")
        assert len(got) == (1 if code in parties else 0), code
        assert all(m["link"] == "/items" for m in got)
    assert "items.to_confirm" not in kinds(world, "clerk-x")


def test_a_rejection_tells_the_coordinator_why(world: World) -> None:
    p = proposal(world, world.other_round, coord="coord2")
    ok(world.api.as_("coord2").post(f"/api/v1/proposals/{p['id']}/submit"))
    ok(world.api.as_("guide2").post(f"/api/v1/proposals/{p['id']}/review",
                                    json={"decision": "reject", "comment": "运费偏高"}))
    [message] = messages(world, "coord2", "proposal.rejected")
    assert "运费偏高" in message["text_zh"] and "运费偏高" in message["text_en"]
    assert "proposal.rejected" not in kinds(world, "coord")


def _round_with_deadline(world: World, hours_from_now: float, reported: tuple[str, ...]) -> tuple[int, str]:
    coord = world.api.as_("coord")
    name = f"提醒测试 {hours_from_now}"
    body = {**ROUND_BODY, "name": name}
    rid = ok(coord.post(f"/api/v1/alliances/{world.alliance}/rounds", json=body), 201)["id"]
    for code in reported:
        ok(world.api.as_(f"clerk-{code.lower()}").put(f"/api/v1/rounds/{rid}/reports/{world.firms[code]}",
                                                      json=report_body(code)), 201)
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours_from_now)).replace(microsecond=0)
    ok(coord.put(f"/api/v1/rounds/{rid}/report-deadline", json={"report_deadline": deadline.isoformat()}))
    return rid, name


def _due(world: World, username: str, name: str) -> list[dict[str, Any]]:
    return [m for m in messages(world, username, "report.due") if name in m["text_zh"]]


def test_report_due_goes_once_to_the_firms_that_have_not_reported(world: World, factory: sessionmaker[Session]) \
        -> None:
    rid, name = _round_with_deadline(world, 10, reported=("A", "C"))
    _, far_name = _round_with_deadline(world, 60, reported=())  # outside the 24 h lead: nobody yet
    assert remind_due_reports(factory, 24.0) == 2
    assert [len(_due(world, f"clerk-{c}", name)) for c in "abcd"] == [0, 1, 0, 1]
    [message] = _due(world, "clerk-b", name)
    assert "北京时间" in message["text_zh"] and message["link"] == "/report"
    assert all(not _due(world, f"clerk-{c}", far_name) for c in "abcd")
    assert remind_due_reports(factory, 24.0) == 0, "a reminder goes once per deadline"

    # The coordinator moves the deadline: the firms still missing are reminded of the new one.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)).replace(microsecond=0)
    ok(world.api.as_("coord").put(f"/api/v1/rounds/{rid}/report-deadline",
                                  json={"report_deadline": later.isoformat()}))
    assert remind_due_reports(factory, 24.0) == 2
    assert [len(_due(world, f"clerk-{c}", name)) for c in "abcd"] == [0, 2, 0, 2]


def test_two_processes_racing_for_a_reminder_send_it_once(world: World, factory: sessionmaker[Session],
                                                          backend: Backend) -> None:
    if backend.name == "sqlite":
        pytest.skip("SQLite serves one process (docs/deployment.md); the race is PostgreSQL's")
    _, name = _round_with_deadline(world, 5, reported=("A",))
    barrier, counts = threading.Barrier(4), []

    def sweep() -> None:
        barrier.wait()
        counts.append(remind_due_reports(factory, 24.0))

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 3, counts
    assert [len(_due(world, f"clerk-{c}", name)) for c in "abcd"] == [0, 1, 1, 1]
