"""Round and proposal lifecycle (issues 10 and 11): the final status once every item is answered, the report
versions a proposal was built from and the outdated-data warning, the reporting deadline, the review loop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Backend, World, build_world, ok, start, wait_job


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
