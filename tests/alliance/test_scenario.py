"""Scenario schema: every invalid input of MODEL.md is refused naming the field and the value; defaults hold."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from alliance import load_scenario
from alliance.scenario import EARTH_RADIUS_KM
from tests.conftest import SCENARIOS_DIR, SHARED_SCENARIOS
from tests.factories import ScenarioBuilder

Mutation = Callable[[dict[str, Any]], None]


def valid() -> dict[str, Any]:
    """Two firms, two skills, one machine, two orders over three days: everything below breaks one thing."""
    return (
        ScenarioBuilder(horizon_days=3, skills=["forming", "glazing"], machines=["kiln"])
        .firm("A", idle={"forming": 2, "glazing": [1, 0, 1]}, machine_hours={"kiln": 8})
        .firm("B", north_km=5, idle={"forming": 1}, lendable={"forming": 1}, machine_hours={"kiln": [1, 2, 3]})
        .order("o1", owner="A", quantity=10, machine="kiln", machine_hours_per_unit=0.5)
        .order("o2", owner="B", quantity=4, skill="glazing", release_day=1)
        .distance("A", "B", 4.0)
        .to_dict()
    )


def rejection(data: dict[str, Any]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as info:
        load_scenario(data)
    return info.value.errors()


def assert_rejected(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    """Some error's ``loc`` starts with ``path`` (pydantic may append union tags) and its ``input`` is ``value``."""
    errors = rejection(data)
    hits = [e for e in errors if tuple(e["loc"][: len(path)]) == path and e["input"] == value]
    assert hits, f"no error at {path} with input {value!r}; got {[(e['loc'], e['input']) for e in errors]}"
    # A JSON round trip of the same document must be refused the same way (the API reads JSON).
    json_errors = rejection_json(data)
    assert any(tuple(e["loc"][: len(path)]) == path and e["input"] == value for e in json_errors)


def rejection_json(data: dict[str, Any]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as info:
        load_scenario(json.dumps(data))
    return info.value.errors()


def test_the_base_document_is_valid() -> None:
    s = load_scenario(valid())
    assert [e.id for e in s.enterprises] == ["A", "B"]
    assert s.distance("A", "B") == 4.0


# ----- unknown references --------------------------------------------------------------------


def _set(path: tuple[str | int, ...], value: Any) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


UNKNOWN_REFERENCES: list[tuple[str, tuple[str | int, ...], Any]] = [
    ("owner", ("orders", 0, "owner"), "Z"),
    ("order skill", ("orders", 0, "skill"), "welding"),
    ("order machine", ("orders", 0, "machine"), "press"),
    ("order process", ("orders", 0, "process"), "welding"),
    ("blocked partner", ("enterprises", 0, "blocked_partners"), ["Z"]),
    ("distance a", ("distances_km", 0, "a"), "Z"),
    ("distance b", ("distances_km", 0, "b"), "Z"),
]


@pytest.mark.parametrize(("what", "path", "bad"), UNKNOWN_REFERENCES, ids=[u[0] for u in UNKNOWN_REFERENCES])
def test_unknown_reference_is_rejected(what: str, path: tuple[str | int, ...], bad: Any) -> None:
    d = valid()
    _set(path, bad)(d)
    if isinstance(bad, list):  # a list field: the error points at the entry
        assert_rejected(d, (*path, 0), bad[0])
    else:
        assert_rejected(d, path, bad)


@pytest.mark.parametrize("field", ["idle_workers", "lendable_workers"])
def test_unknown_skill_in_a_firm_map_is_rejected(field: str) -> None:
    d = valid()
    d["enterprises"][1][field]["welding"] = 0
    assert_rejected(d, ("enterprises", 1, field, "welding"), "welding")


def test_unknown_machine_in_spare_hours_is_rejected() -> None:
    d = valid()
    d["enterprises"][0]["spare_machine_hours"]["press"] = 3
    assert_rejected(d, ("enterprises", 0, "spare_machine_hours", "press"), "press")


def test_every_error_is_reported_at_once() -> None:
    d = valid()
    d["orders"][0]["owner"] = "Z"
    d["orders"][1]["skill"] = "welding"
    locs = {tuple(e["loc"]) for e in rejection(d)}
    assert {("orders", 0, "owner"), ("orders", 1, "skill")} <= locs


# ----- negative and out-of-range numbers -----------------------------------------------------

NEGATIVES: list[tuple[str, tuple[str | int, ...], Any]] = [
    ("idle scalar", ("enterprises", 0, "idle_workers", "forming"), -1),
    ("machine hours", ("enterprises", 0, "spare_machine_hours", "kiln"), -0.5),
    ("quality level", ("enterprises", 0, "quality_level"), -1),
    ("wage", ("enterprises", 0, "wage_per_day"), -10.0),
    ("lend radius", ("policy", "lend_radius_km"), -1.0),
    ("subcontract radius", ("policy", "subcontract_radius_km"), -1.0),
    ("commute cost", ("policy", "commute_cost_per_km"), -0.1),
    ("transport cost", ("policy", "transport_cost_per_unit_km"), -0.1),
    ("link cost", ("policy", "link_cost"), -5.0),
    ("transport days", ("policy", "transport_days"), -1),
    ("max subcontractors", ("policy", "max_subcontractors_per_order"), -1),
    ("workday minutes", ("policy", "workday_minutes"), 0),
    ("quantity", ("orders", 0, "quantity"), 0),
    ("labour minutes", ("orders", 0, "labor_minutes_per_unit"), 0),
    ("machine hours per unit", ("orders", 0, "machine_hours_per_unit"), -1.0),
    ("release day", ("orders", 0, "release_day"), -1),
    ("due day", ("orders", 0, "due_day"), -1),
    ("value", ("orders", 0, "value_per_unit"), 0),
    ("order transport cost", ("orders", 0, "transport_cost_per_unit_km"), -0.01),
    ("min quality", ("orders", 0, "min_quality_level"), -1),
    ("min lot", ("orders", 0, "min_lot"), 0),
    ("distance km", ("distances_km", 0, "km"), -4.0),
    ("latitude", ("enterprises", 0, "lat"), 91.0),
    ("longitude", ("enterprises", 0, "lon"), -181.0),
]


@pytest.mark.parametrize(("what", "path", "bad"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_negative_or_out_of_range_number_is_rejected(what: str, path: tuple[str | int, ...], bad: Any) -> None:
    d = valid()
    _set(path, bad)(d)
    assert_rejected(d, path, bad)


def test_negative_entry_of_a_per_day_list_is_rejected() -> None:
    d = valid()
    d["enterprises"][0]["idle_workers"]["glazing"] = [1, -2, 1]
    errors = rejection(d)
    path = ("enterprises", 0, "idle_workers", "glazing")
    assert any(tuple(e["loc"][:4]) == path and e["loc"][-1] == 1 and e["input"] == -2 for e in errors), errors


@pytest.mark.parametrize(
    "path",
    [("enterprises", 0, "idle_workers", "forming"), ("orders", 0, "quantity"), ("policy", "link_cost")],
    ids=["idle", "quantity", "link_cost"],
)
def test_a_boolean_is_not_taken_for_a_number(path: tuple[str | int, ...]) -> None:
    d = valid()
    _set(path, True)(d)
    assert_rejected(d, path, True)


@pytest.mark.parametrize("horizon", [0, 367, -3])
def test_horizon_outside_1_to_366_is_rejected(horizon: int) -> None:
    d = valid()
    d["horizon_days"] = horizon
    assert_rejected(d, ("horizon_days",), horizon)


@pytest.mark.parametrize("horizon", [1, 366])
def test_horizon_bounds_are_accepted(horizon: int) -> None:
    d = (
        ScenarioBuilder(horizon_days=horizon)
        .firm("A", idle=1)
        .order("o", owner="A", quantity=1)
        .to_dict()
    )
    assert load_scenario(d).horizon_days == horizon


# ----- lendable > idle --------------------------------------------------------------------


def test_lendable_above_idle_scalar_is_rejected() -> None:
    d = valid()
    d["enterprises"][1]["lendable_workers"]["forming"] = 2  # idle is 1
    assert_rejected(d, ("enterprises", 1, "lendable_workers", "forming"), 2)


def test_lendable_above_idle_on_one_day_is_rejected() -> None:
    d = valid()
    # idle glazing at A is [1, 0, 1]: lending 1 on day 1 is more than idle
    d["enterprises"][0]["lendable_workers"] = {"glazing": [1, 1, 1]}
    assert_rejected(d, ("enterprises", 0, "lendable_workers", "glazing"), [1, 1, 1])


def test_lendable_per_day_against_scalar_idle_is_rejected() -> None:
    d = valid()
    d["enterprises"][0]["lendable_workers"] = {"forming": [0, 3, 0]}  # idle forming is 2 every day
    assert_rejected(d, ("enterprises", 0, "lendable_workers", "forming"), [0, 3, 0])


def test_lendable_for_a_skill_with_no_idle_workers_is_rejected() -> None:
    d = valid()
    d["enterprises"][1]["lendable_workers"]["glazing"] = 1  # B has no idle glazing at all
    assert_rejected(d, ("enterprises", 1, "lendable_workers", "glazing"), 1)


def test_lendable_equal_to_idle_is_accepted() -> None:
    d = valid()
    d["enterprises"][0]["lendable_workers"] = {"forming": 2, "glazing": [1, 0, 1]}
    s = load_scenario(d)
    assert [s.lendable("A", "glazing", t) for t in range(3)] == [1, 0, 1]


# ----- per-day lists ------------------------------------------------------------------------


PER_DAY_FIELDS = [
    ("enterprises", 0, "idle_workers", "forming"),
    ("enterprises", 1, "lendable_workers", "forming"),
    ("enterprises", 1, "spare_machine_hours", "kiln"),
]


@pytest.mark.parametrize("path", PER_DAY_FIELDS, ids=[p[2] for p in PER_DAY_FIELDS])
@pytest.mark.parametrize("length", [2, 4])
def test_per_day_list_of_wrong_length_is_rejected(path: tuple[str | int, ...], length: int) -> None:
    d = valid()
    bad = [1] * length
    if path[2] == "lendable_workers":  # keep lendable <= idle so only the length is wrong
        d["enterprises"][1]["idle_workers"]["forming"] = 5
    _set(path, bad)(d)
    assert_rejected(d, path, bad)


def test_per_day_values_are_read_by_day() -> None:
    s = load_scenario(valid())
    assert [s.idle("A", "glazing", t) for t in range(3)] == [1, 0, 1]
    assert [s.machine_hours("B", "kiln", t) for t in range(3)] == [1.0, 2.0, 3.0]
    assert [s.machine_hours("A", "kiln", t) for t in range(3)] == [8.0] * 3


# ----- days ---------------------------------------------------------------------------------


@pytest.mark.parametrize("due", [3, 10])
def test_due_day_outside_the_horizon_is_rejected(due: int) -> None:
    d = valid()
    d["orders"][0]["due_day"] = due
    assert_rejected(d, ("orders", 0, "due_day"), due)


def test_release_after_due_is_rejected() -> None:
    d = valid()
    d["orders"][0]["release_day"] = 2
    d["orders"][0]["due_day"] = 1
    assert_rejected(d, ("orders", 0, "release_day"), 2)


def test_release_equal_to_due_is_accepted() -> None:
    d = valid()
    d["orders"][0]["release_day"] = d["orders"][0]["due_day"] = 2
    assert load_scenario(d).order("o1").release_day == 2


# ----- duplicates and unknown fields --------------------------------------------------------


def test_duplicate_enterprise_id_is_rejected() -> None:
    d = valid()
    d["enterprises"][1]["id"] = "A"
    d["orders"][1]["owner"] = "A"
    d["distances_km"] = []
    assert_rejected(d, ("enterprises", 1, "id"), "A")


def test_duplicate_order_id_is_rejected() -> None:
    d = valid()
    d["orders"][1]["id"] = "o1"
    assert_rejected(d, ("orders", 1, "id"), "o1")


@pytest.mark.parametrize("field", ["skills", "machines"])
def test_duplicate_skill_or_machine_code_is_rejected(field: str) -> None:
    d = valid()
    d[field].append(d[field][0])
    assert_rejected(d, (field,), d[field][0])


def test_distance_pair_given_twice_is_rejected_in_either_order() -> None:
    d = valid()
    d["distances_km"].append({"a": "B", "b": "A", "km": 7.0})
    errors = rejection(d)
    assert any(tuple(e["loc"][:2]) == ("distances_km", 1) for e in errors), errors


def test_distance_from_a_firm_to_itself_is_rejected() -> None:
    d = valid()
    d["distances_km"] = [{"a": "A", "b": "A", "km": 1.0}]
    assert_rejected(d, ("distances_km", 0, "b"), "A")


def test_blocking_oneself_is_rejected() -> None:
    d = valid()
    d["enterprises"][0]["blocked_partners"] = ["A"]
    assert_rejected(d, ("enterprises", 0, "blocked_partners", 0), "A")


EXTRA_FIELDS: list[tuple[str | int, ...]] = [
    ("colour",),
    ("policy", "lend_radius"),
    ("enterprises", 0, "idle"),
    ("orders", 1, "due"),
    ("distances_km", 0, "miles"),
    ("alliance", "leader"),
]


@pytest.mark.parametrize("path", EXTRA_FIELDS, ids=["/".join(map(str, p)) for p in EXTRA_FIELDS])
def test_unknown_field_is_rejected(path: tuple[str | int, ...]) -> None:
    d = valid()
    _set(path, 5)(d)
    errors = rejection(d)
    assert any(tuple(e["loc"]) == path and e["type"] == "extra_forbidden" and e["input"] == 5 for e in errors), errors


def test_machine_hours_without_a_machine_is_rejected() -> None:
    d = valid()
    del d["orders"][0]["machine"]
    assert_rejected(d, ("orders", 0, "machine_hours_per_unit"), 0.5)


@pytest.mark.parametrize("missing", ["alliance", "horizon_days", "skills", "enterprises"])
def test_required_top_level_field_is_demanded(missing: str) -> None:
    d = valid()
    del d[missing]
    assert any(tuple(e["loc"]) == (missing,) and e["type"] == "missing" for e in rejection(d))


def test_order_without_due_day_is_rejected() -> None:
    d = valid()
    del d["orders"][0]["due_day"]
    assert any(tuple(e["loc"]) == ("orders", 0, "due_day") and e["type"] == "missing" for e in rejection(d))


def test_error_message_is_bilingual_for_cross_references() -> None:
    d = valid()
    d["orders"][0]["owner"] = "Z"
    [err] = [e for e in rejection(d) if tuple(e["loc"]) == ("orders", 0, "owner")]
    assert "'Z'" in err["msg"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["msg"]), err["msg"]


# ----- defaults -----------------------------------------------------------------------------


def test_policy_defaults_follow_model_md() -> None:
    d = valid()
    del d["policy"]
    p = load_scenario(d).policy
    assert p.lend_radius_km == 10
    assert p.subcontract_radius_km == 30
    assert p.commute_cost_per_km == 1.0
    assert p.transport_cost_per_unit_km == 0.0
    assert p.link_cost == 0.0
    assert p.transport_days == 1
    assert p.max_subcontractors_per_order == 3
    assert p.workday_minutes == 480


def test_partial_policy_keeps_the_other_defaults() -> None:
    d = valid()
    d["policy"] = {"link_cost": 300}
    p = load_scenario(d).policy
    assert p.link_cost == 300
    assert p.lend_radius_km == 10
    assert p.transport_days == 1


def test_enterprise_and_order_defaults() -> None:
    d = (
        ScenarioBuilder(horizon_days=2)
        .firm("A", idle=1)
        .order("o", owner="A", quantity=3)
        .to_dict()
    )
    s = load_scenario(d)
    a, o = s.enterprise("A"), s.order("o")
    assert (a.quality_level, a.wage_per_day, a.accepts_subcontracts, a.borrows_workers) == (0, 0.0, True, True)
    assert a.blocked_partners == []
    assert a.spare_machine_hours == {}
    assert (o.release_day, o.min_quality_level, o.subcontractable, o.min_lot) == (0, 0, True, 1)
    assert o.machine is None
    assert o.machine_hours_per_unit == 0
    assert o.transport_cost_per_unit_km is None
    assert s.distances_km == []


def test_lendable_defaults_to_idle() -> None:
    s = load_scenario(valid())
    assert s.enterprise("A").lendable_workers is None
    assert [s.lendable("A", "glazing", t) for t in range(3)] == [1, 0, 1]
    assert s.lendable("A", "forming", 0) == 2


def test_missing_skill_or_machine_means_zero() -> None:
    s = load_scenario(valid())
    assert s.idle("B", "glazing", 0) == 0
    assert s.machine_hours("B", "kiln", 0) == 1.0
    d = valid()
    d["enterprises"][1]["spare_machine_hours"] = {}
    assert load_scenario(d).machine_hours("B", "kiln", 2) == 0


def test_skill_missing_from_a_given_lendable_map_is_not_lendable() -> None:
    d = valid()
    d["enterprises"][0]["lendable_workers"] = {"glazing": [1, 0, 0]}
    s = load_scenario(d)
    assert s.idle("A", "forming", 0) == 2
    assert s.lendable("A", "forming", 0) == 0  # consent given for glazing only
    assert [s.lendable("A", "glazing", t) for t in range(3)] == [1, 0, 0]


def test_order_transport_rate_overrides_policy() -> None:
    d = valid()
    d["policy"]["transport_cost_per_unit_km"] = 0.2
    d["orders"][1]["transport_cost_per_unit_km"] = 0.0
    s = load_scenario(d)
    assert s.transport_rate(s.order("o1")) == 0.2
    assert s.transport_rate(s.order("o2")) == 0.0  # an explicit zero is an override, not "missing"


# ----- distances ----------------------------------------------------------------------------


def haversine_by_hand(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_haversine_uses_earth_radius_6371() -> None:
    assert EARTH_RADIUS_KM == 6371.0
    d = valid()
    d["distances_km"] = []
    # Two Dehua-like points: the county seat and a village to the north-east.
    d["enterprises"][0].update(lat=25.49, lon=118.24)
    d["enterprises"][1].update(lat=25.60, lon=118.30)
    s = load_scenario(d)
    # By hand: dphi = 0.11 deg, dlambda = 0.06 deg; h = sin^2(dphi/2) + cos(25.49)cos(25.60) sin^2(dlambda/2)
    # = 9.2146e-7 + 0.81432 * 2.7416e-7 = 1.1447e-6; d = 2 * 6371 * asin(sqrt(h)) = 13.633 km.
    assert s.distance("A", "B") == pytest.approx(13.633, abs=5e-3)
    assert s.distance("A", "B") == pytest.approx(haversine_by_hand(25.49, 118.24, 25.60, 118.30), rel=1e-12)
    assert s.distance("B", "A") == s.distance("A", "B")
    assert s.distance("A", "A") == 0.0


def test_one_degree_of_latitude_is_r_pi_over_180() -> None:
    d = valid()
    d["distances_km"] = []
    d["enterprises"][0].update(lat=25.0, lon=118.0)
    d["enterprises"][1].update(lat=26.0, lon=118.0)
    assert load_scenario(d).distance("A", "B") == pytest.approx(6371.0 * math.pi / 180, rel=1e-12)


def test_distance_override_is_symmetric_and_wins() -> None:
    d = valid()
    d["distances_km"] = [{"a": "B", "b": "A", "km": 12.5}]
    s = load_scenario(d)
    assert s.distance("A", "B") == s.distance("B", "A") == 12.5
    m = s.distance_matrix()
    assert (m == m.T).all()


def test_override_only_touches_its_pair() -> None:
    d = (
        ScenarioBuilder()
        .firm("A", idle=1)
        .firm("B", north_km=3)
        .firm("C", north_km=8)
        .distance("A", "C", 1.0)
        .order("o", owner="A", quantity=1)
        .to_dict()
    )
    s = load_scenario(d)
    assert s.distance("A", "C") == 1.0
    assert s.distance("A", "B") == pytest.approx(3.0, abs=1e-9)
    assert s.distance("B", "C") == pytest.approx(5.0, abs=1e-9)


# ----- shared scenarios ---------------------------------------------------------------------


def test_shared_scenarios_are_present() -> None:
    assert len(SHARED_SCENARIOS) >= 8, f"expected the shared scenarios under {SCENARIOS_DIR}"


@pytest.mark.parametrize("path", SHARED_SCENARIOS, ids=[p.stem for p in SHARED_SCENARIOS])
def test_shared_scenario_loads(path: Path) -> None:
    s = load_scenario(path.read_text(encoding="utf-8"))
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert len(s.enterprises) == len(raw["enterprises"])
    assert len(s.orders) == len(raw["orders"])
    assert s.distance_matrix().shape == (len(s.enterprises), len(s.enterprises))
    # Round trip: what the schema dumps loads back to the same scenario.
    again = load_scenario(s.model_dump(mode="json", exclude_none=True))
    assert again.model_dump() == s.model_dump()
