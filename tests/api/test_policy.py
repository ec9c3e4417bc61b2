"""The alliance's default policy: set by its coordinator, inherited by a round opened without one, with the
source of every value; the demo alliance carries the Dehua park's own rules (issue 10, item 2)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alliance.scenario import Policy
from api.schemas import PolicyIn
from tests.api.conftest import ROUND_BODY, Backend, World, build_world, ok, start


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api, reports=False)
    finally:
        client.__exit__(None, None, None)


def test_the_partial_policy_has_the_models_fields() -> None:
    assert set(PolicyIn.model_fields) == set(Policy.model_fields)


def test_a_round_without_a_policy_carries_the_alliances(world: World) -> None:
    coord = world.api.as_("coord")
    url = f"/api/v1/alliances/{world.alliance}/policy"
    fresh = ok(coord.get(url))
    assert fresh["set"] == {} and set(fresh["sources"].values()) == {"model"}
    assert fresh["policy"]["lend_radius_km"] == 10.0
    saved = ok(coord.put(url, json={"lend_radius_km": 2.5, "subcontract_radius_km": 6}))
    assert saved["set"] == {"lend_radius_km": 2.5, "subcontract_radius_km": 6.0}
    assert saved["sources"]["lend_radius_km"] == "alliance" and saved["sources"]["link_cost"] == "model"

    body = {k: v for k, v in ROUND_BODY.items() if k != "policy"}
    rnd = ok(coord.post(f"/api/v1/alliances/{world.alliance}/rounds", json=body), 201)
    assert rnd["policy"]["lend_radius_km"] == 2.5 and rnd["policy"]["subcontract_radius_km"] == 6.0
    assert rnd["policy"]["workday_minutes"] == 480.0
    assert rnd["policy_sources"]["lend_radius_km"] == "alliance"
    assert rnd["policy_sources"]["workday_minutes"] == "model"

    own = ok(coord.post(f"/api/v1/alliances/{world.alliance}/rounds",
                        json={**body, "policy": {"subcontract_radius_km": 12}}), 201)
    assert own["policy"]["subcontract_radius_km"] == 12.0 and own["policy"]["lend_radius_km"] == 2.5
    assert own["policy_sources"] == {**rnd["policy_sources"], "subcontract_radius_km": "round"}

    # A later change of the default leaves the rounds already opened as they were.
    ok(coord.put(url, json={}))
    assert ok(coord.get(f"/api/v1/rounds/{rnd['id']}"))["policy"]["lend_radius_km"] == 2.5
    assert ok(coord.get(url))["policy"]["lend_radius_km"] == 10.0


def test_only_the_alliances_coordinator_edits_it(world: World) -> None:
    url = f"/api/v1/alliances/{world.alliance}/policy"
    assert world.api.as_("coord2").put(url, json={}).status_code == 404
    assert world.api.as_("clerk-a").put(url, json={}).status_code == 403
    assert world.api.as_("guide").put(url, json={}).status_code == 403
    assert ok(world.api.as_("clerk-a").get(url))["alliance_id"] == world.alliance


def test_a_bad_value_names_the_field(world: World) -> None:
    r = world.api.as_("coord").put(f"/api/v1/alliances/{world.alliance}/policy", json={"lend_radius_km": -1})
    assert r.status_code == 422
    assert "lend_radius_km" in r.text and "-1" in r.text
