"""A world with a plan whose items are all confirmed: what execution starts from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import Backend, World, build_world, ok, start, wait_job


def confirmed_plan(world: World, round_id: int | None = None) -> dict[str, dict[str, Any]]:
    """Plan the round, make and approve the proposal, and let both firms confirm every item; items by key."""
    coord, guide = world.api.as_("coord"), world.api.as_("guide")
    rid = round_id or world.round
    job = ok(coord.post(f"/api/v1/rounds/{rid}/jobs", json={"time_limit_s": 5}), 202)
    assert wait_job(coord, job["id"])["status"] == "succeeded"
    proposal = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    ok(coord.post(f"/api/v1/proposals/{proposal['id']}/submit"))
    ok(guide.post(f"/api/v1/proposals/{proposal['id']}/review", json={"decision": "approve"}))
    items = ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))
    codes = {v: k for k, v in world.firms.items()}
    for item in items:
        for party in (item["first_party"]["id"], item["second_party"]["id"]):
            ok(world.api.as_(f"clerk-{codes[party].lower()}").post(f"/api/v1/items/{item['id']}/respond",
                                                                  json={"answer": "confirm"}))
    return {i["key"]: ok(coord.get(f"/api/v1/items/{i['id']}")) for i in items}


@pytest.fixture(scope="module")
def world(backend: Backend) -> Iterator[World]:
    client, api = start(backend)
    try:
        yield build_world(api)
    finally:
        client.__exit__(None, None, None)
