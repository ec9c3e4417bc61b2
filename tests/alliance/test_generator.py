"""The scenario generator: deterministic, valid, the requested sizes, realistic shape and tightness."""

from __future__ import annotations

import json
import re
from functools import cache

import numpy as np
import pytest

from alliance.generator import (
    CENTER_LAT,
    CENTER_LON,
    MACHINE_OF_PROCESS,
    generate_alliance,
    idle_worker_days,
    needed_worker_days,
    scenario_to_json,
    tightness,
)
from alliance.scenario import Scenario, load_scenario


@cache
def _generated(n_firms: int, seed: int = 0, tight: bool = False) -> Scenario:
    return generate_alliance(n_firms, seed=seed, tight=tight)


def test_same_seed_gives_the_same_scenario() -> None:
    a = generate_alliance(24, seed=7, tight=True)
    b = generate_alliance(24, seed=7, tight=True)
    assert a == b
    assert scenario_to_json(a) == scenario_to_json(b)


def test_different_seeds_give_different_scenarios() -> None:
    assert scenario_to_json(generate_alliance(24, seed=1)) != scenario_to_json(generate_alliance(24, seed=2))


@pytest.mark.parametrize(("n_firms", "tight"), [(1, False), (5, True), (24, False), (24, True), (100, False)])
def test_result_is_a_valid_scenario_that_survives_json(n_firms: int, tight: bool) -> None:
    s = generate_alliance(n_firms, tight=tight, seed=3)
    assert isinstance(s, Scenario)
    text = scenario_to_json(s)
    assert load_scenario(text) == s
    # Re-validating the plain dict runs every cross-reference check of the schema again.
    assert load_scenario(json.loads(text)) == s


def test_sizes_ids_and_defaults() -> None:
    s = generate_alliance(30, seed=4)
    assert len(s.enterprises) == 30
    assert len(s.orders) == 51  # round(1.7 * 30)
    assert [e.id for e in s.enterprises] == [f"E{i:03d}" for i in range(1, 31)]
    assert [o.id for o in s.orders] == [f"O{i:04d}" for i in range(1, 52)]
    assert s.horizon_days == 14
    assert s.start_date is not None and s.start_date.isoformat() == "2026-12-07"
    assert s.policy.link_cost == 300.0
    assert set(s.skills) == {"forming", "glazing", "firing", "decorating", "packing"}
    assert set(s.machines) == {"roller_line", "kiln", "decal_kiln"}


def test_explicit_sizes_horizon_link_cost_and_name() -> None:
    s = generate_alliance(8, n_orders=3, horizon_days=5, link_cost=120.0, name="测试联盟")
    assert (len(s.enterprises), len(s.orders), s.horizon_days) == (8, 3, 5)
    assert s.policy.link_cost == 120.0
    assert s.alliance.name == "测试联盟"
    for e in s.enterprises:
        for mapping in (e.idle_workers, e.lendable_workers or {}, e.spare_machine_hours):
            for value in mapping.values():
                assert not isinstance(value, list) or len(value) == 5
    assert all(0 <= o.release_day <= o.due_day <= 4 for o in s.orders)


def test_edge_sizes() -> None:
    one_day = generate_alliance(6, horizon_days=1)
    assert all(o.release_day == o.due_day == 0 for o in one_day.orders)
    no_orders = generate_alliance(6, n_orders=0)
    assert no_orders.orders == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_firms": 0}, "n_firms"),
        ({"n_firms": 5, "n_orders": -1}, "n_orders"),
        ({"n_firms": 5, "horizon_days": 0}, "horizon_days"),
        ({"n_firms": 5, "horizon_days": 400}, "horizon_days"),
        ({"n_firms": 5, "link_cost": -1.0}, "link_cost"),
        ({"n_firms": 5, "link_cost": float("nan")}, "link_cost"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict, field: str) -> None:
    n_firms = kwargs.pop("n_firms")
    with pytest.raises(ValueError, match=field):
        generate_alliance(n_firms, **kwargs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_tight_scenarios_have_about_as_many_idle_worker_days_as_the_backlog_needs(seed: int) -> None:
    tight = generate_alliance(24, seed=seed, tight=True)
    loose = generate_alliance(24, seed=seed, tight=False)
    assert 0.85 <= tightness(tight) <= 1.2
    assert tightness(loose) <= 0.35
    # Per skill too, so no skill is the hidden bottleneck of a "loose" scenario or idle in a tight one.
    need, idle = needed_worker_days(tight), idle_worker_days(tight)
    for skill in tight.skills:
        if need[skill] >= 20:
            assert 0.75 <= need[skill] / idle[skill] <= 1.35, skill


def test_tightness_holds_for_a_county_chain() -> None:
    assert 0.9 <= tightness(generate_alliance(300, tight=True)) <= 1.1
    assert tightness(_generated(300)) <= 0.3


def test_firms_look_like_the_shared_samples() -> None:
    s = _generated(100)
    names = [e.name for e in s.enterprises]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"德化县\w+", name) for name in names)
    assert not any(brand in name for name in names for brand in ("顺美", "佳美", "冠福"))
    assert all(2 <= len(e.processes) <= 5 for e in s.enterprises)
    assert {e.wage_per_day for e in s.enterprises} <= {180.0, 200.0, 220.0, 250.0}
    assert {e.quality_level for e in s.enterprises} == {0, 1, 2, 3}
    assert any(not e.accepts_subcontracts for e in s.enterprises)
    assert any(not e.borrows_workers for e in s.enterprises)
    assert sum(len(e.blocked_partners) for e in s.enterprises) >= 5
    # Machines only for the steps that need one.
    for e in s.enterprises:
        assert set(e.idle_workers) == set(e.processes)
        wanted = {MACHINE_OF_PROCESS[p] for p in e.processes} - {None}
        assert set(e.spare_machine_hours) == wanted


def test_some_idle_workers_did_not_consent_to_be_lent() -> None:
    s = _generated(24)
    strictly_less = [
        (e.id, skill, t)
        for e in s.enterprises
        for skill in e.idle_workers
        for t in range(s.horizon_days)
        if s.lendable(e.id, skill, t) < s.idle(e.id, skill, t)
    ]
    assert strictly_less


def test_off_seasons_are_staggered() -> None:
    """Firms have their most idle days at different times: the peaks do not all fall on one day."""
    s = _generated(24)
    peak_days = set()
    for e in s.enterprises:
        per_day = [sum(s.idle(e.id, skill, t) for skill in e.idle_workers) for t in range(s.horizon_days)]
        if max(per_day) > min(per_day):
            peak_days.add(int(np.argmax(per_day)))
    assert len(peak_days) >= 4


def test_orders_look_like_the_shared_samples() -> None:
    s = _generated(100)
    for o in s.orders:
        assert o.skill == o.process
        assert o.machine == MACHINE_OF_PROCESS[o.process]
        assert (o.machine_hours_per_unit > 0) == (o.machine is not None)
        assert 80 <= o.quantity <= 3000
        assert o.min_lot in (1, 50, 100, 200, 500)
        assert 0 <= o.release_day <= 4
    owners_running_process = sum(o.process in s.enterprise(o.owner).processes for o in s.orders)
    assert owners_running_process >= 0.85 * len(s.orders)
    assert any(not o.subcontractable for o in s.orders)
    assert any(o.transport_cost_per_unit_km is not None for o in s.orders)
    assert {o.min_quality_level for o in s.orders} == {0, 1, 2}


def test_a_small_alliance_is_one_park_around_the_county_seat() -> None:
    s = _generated(24)
    dist = s.distance_matrix()
    assert dist.max() < 12.0
    neighbours = (dist <= s.policy.subcontract_radius_km).sum(axis=1) - 1
    assert neighbours.min() >= 5
    assert all(abs(e.lat - CENTER_LAT) < 0.05 and abs(e.lon - CENTER_LON) < 0.05 for e in s.enterprises)
    assert 2.0 <= s.policy.lend_radius_km <= 3.0
    assert 5.0 <= s.policy.subcontract_radius_km <= 8.0


@pytest.mark.parametrize("n_firms", [100, 300, 800])
def test_a_county_chain_keeps_a_realistic_number_of_neighbours(n_firms: int) -> None:
    s = _generated(n_firms)
    dist = s.distance_matrix()
    # The county is about 30x30 km, not one crowded park.
    assert 20.0 <= dist.max() <= 60.0
    neighbours = (dist <= s.policy.subcontract_radius_km).sum(axis=1) - 1
    assert np.median(neighbours) >= 5
    assert neighbours.mean() <= 60
    assert neighbours.max() < 150
    assert 5.0 <= s.policy.subcontract_radius_km <= 8.0


def test_blocked_partners_are_near_neighbours() -> None:
    s = _generated(100)
    for e in s.enterprises:
        for other in e.blocked_partners:
            assert s.distance(e.id, other) <= s.policy.subcontract_radius_km


def test_json_keeps_chinese_and_puts_per_day_lists_on_one_line() -> None:
    text = scenario_to_json(generate_alliance(4, n_orders=2, horizon_days=5))
    assert "德化县" in text
    assert "\\u" not in text
    assert re.search(r'"\w+": \[\d+(, \d+){4}\]', text)
    assert "null" not in text


def test_tight_and_loose_of_one_seed_share_firms_and_orders() -> None:
    tight, loose = generate_alliance(24, seed=5, tight=True), generate_alliance(24, seed=5)
    assert tight.orders == loose.orders
    assert [(e.name, e.lat, e.lon, e.processes, e.blocked_partners) for e in tight.enterprises] == [
        (e.name, e.lat, e.lon, e.processes, e.blocked_partners) for e in loose.enterprises
    ]
    assert idle_worker_days(tight) != idle_worker_days(loose)


def test_idle_per_need_places_a_scenario_between_tight_and_loose() -> None:
    middle = generate_alliance(24, seed=5, idle_per_need=2.0)
    assert 0.45 <= tightness(middle) <= 0.55
    assert middle.alliance.id == "gen-24-r2-s5"
    with pytest.raises(ValueError, match="idle_per_need"):
        generate_alliance(24, idle_per_need=0.0)
