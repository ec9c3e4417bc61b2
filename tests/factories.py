"""A small builder of valid scenarios for tests, and a solve-then-check helper.

Firms are placed by km offsets from a base point in Dehua county.  Firms on the
same meridian (``east_km=0``, the default) are ``|north_km difference|`` apart
under MODEL.md's haversine (to ~1e-12 km of float rounding), so a test can put a
firm at a chosen distance without a ``distances_km`` override; keep radii a
little away from such distances, or use :meth:`ScenarioBuilder.distance`, an
exact override, when a firm must sit exactly at a radius.

Usage::

    s = (
        ScenarioBuilder(horizon_days=2, subcontract_radius_km=15)
        .firm("A", idle=1)
        .firm("B", north_km=20, idle=1)
        .order("o1", owner="A", quantity=24, value=10, labor_minutes=60)
        .build()
    )
    plan = solve_and_check(s)
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from alliance import Plan, Scenario, Status, check, load_scenario
from alliance.scenario import EARTH_RADIUS_KM

if TYPE_CHECKING:
    from alliance import ReplanConstraints
    from solver import Progress, SolveOptions

BASE_LAT = 25.49  # Dehua county seat
BASE_LON = 118.24
KM_PER_DEGREE_LAT = EARTH_RADIUS_KM * math.pi / 180.0

PerDay = int | float | list[int] | list[float]


def latlon_at(north_km: float, east_km: float = 0.0) -> tuple[float, float]:
    """WGS-84 coordinates ``north_km`` north and ``east_km`` east of the base point.

    North offsets are exact under haversine (a meridian is a great circle); east
    offsets are approximate (a parallel is not) and only meant for layouts where
    a few metres do not matter.
    """
    lat = BASE_LAT + north_km / KM_PER_DEGREE_LAT
    lon = BASE_LON + east_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(BASE_LAT)))
    return lat, lon


class ScenarioBuilder:
    """Fluent builder of scenario dicts; every method returns the builder.

    Defaults keep scenarios minimal: one skill ``forming`` that is also the
    process code, no machines, MODEL.md's policy defaults unless overridden by
    keyword (``ScenarioBuilder(lend_radius_km=5, link_cost=50)``).
    """

    def __init__(
        self,
        horizon_days: int = 1,
        skills: tuple[str, ...] | list[str] = ("forming",),
        machines: tuple[str, ...] | list[str] = (),
        alliance_id: str = "test",
        **policy: Any,
    ) -> None:
        self._data: dict[str, Any] = {
            "alliance": {"id": alliance_id, "name": "测试联盟 / test alliance"},
            "horizon_days": horizon_days,
            "skills": list(skills),
            "machines": list(machines),
            "policy": dict(policy),
            "enterprises": [],
            "orders": [],
        }

    @property
    def default_skill(self) -> str:
        skills: list[str] = self._data["skills"]
        return skills[0]

    def policy(self, **fields: Any) -> ScenarioBuilder:
        self._data["policy"].update(fields)
        return self

    def firm(
        self,
        firm_id: str,
        north_km: float = 0.0,
        *,
        east_km: float = 0.0,
        processes: list[str] | None = None,
        idle: PerDay | Mapping[str, PerDay] | None = None,
        lendable: PerDay | Mapping[str, PerDay] | None = None,
        machine_hours: Mapping[str, PerDay] | None = None,
        **fields: Any,
    ) -> ScenarioBuilder:
        """Add an enterprise; ``idle``/``lendable`` given as a bare number or list mean the default skill.

        ``processes`` defaults to every skill code (each skill doubles as a process).
        """
        lat, lon = latlon_at(north_km, east_km)
        ent: dict[str, Any] = {
            "id": firm_id,
            "name": f"瓷厂 {firm_id}",
            "lat": lat,
            "lon": lon,
            "processes": list(self._data["skills"]) if processes is None else list(processes),
        }
        if idle is not None:
            ent["idle_workers"] = self._per_skill(idle)
        if lendable is not None:
            ent["lendable_workers"] = self._per_skill(lendable)
        if machine_hours is not None:
            ent["spare_machine_hours"] = dict(machine_hours)
        ent.update(fields)
        self._data["enterprises"].append(ent)
        return self

    def order(
        self,
        order_id: str,
        owner: str,
        quantity: int,
        *,
        value: float = 10.0,
        labor_minutes: float = 60.0,
        skill: str | None = None,
        process: str | None = None,
        due_day: int | None = None,
        **fields: Any,
    ) -> ScenarioBuilder:
        """Add an order; skill defaults to the first skill, process to the skill, due day to the last day."""
        skill = skill or self.default_skill
        order: dict[str, Any] = {
            "id": order_id,
            "owner": owner,
            "process": process or skill,
            "skill": skill,
            "quantity": quantity,
            "labor_minutes_per_unit": labor_minutes,
            "due_day": self._data["horizon_days"] - 1 if due_day is None else due_day,
            "value_per_unit": value,
        }
        order.update(fields)
        self._data["orders"].append(order)
        return self

    def distance(self, a: str, b: str, km: float) -> ScenarioBuilder:
        self._data.setdefault("distances_km", []).append({"a": a, "b": b, "km": km})
        return self

    def to_dict(self) -> dict[str, Any]:
        """A deep copy, so a test may mutate it into an invalid scenario without touching the builder."""
        return copy.deepcopy(self._data)

    def build(self) -> Scenario:
        return load_scenario(self.to_dict())

    def _per_skill(self, value: PerDay | Mapping[str, PerDay]) -> dict[str, PerDay]:
        if isinstance(value, Mapping):
            return dict(value)
        return {self.default_skill: value}


def exact_options(time_limit_s: float = 10.0) -> SolveOptions:
    """Options for tiny cases whose optimum a test knows: no relative gap slack at all."""
    from solver import SolveOptions

    return SolveOptions(time_limit_s=time_limit_s, relative_gap=0.0)


def solve_and_check(
    scenario: Scenario,
    options: SolveOptions | None = None,
    *,
    replan: ReplanConstraints | None = None,
) -> Plan:
    """Solve, then assert the plan obeys rules 1-9 and reports the objective its rows are worth.

    Also asserts the reported bound is not below the reported objective.
    """
    from solver import solve

    plan = solve(scenario, options or exact_options(), replan=replan)
    assert plan.status in (Status.OPTIMAL, Status.FEASIBLE), f"no plan: status {plan.status}"
    assert plan.objective is not None
    result = check(scenario, plan)
    assert result.ok, "plan breaks rules:\n" + "\n".join(map(str, result.violations))
    assert math.isclose(plan.objective, result.objective, rel_tol=1e-9, abs_tol=1e-6), (
        f"reported objective {plan.objective} != recomputed {result.objective}"
    )
    if plan.bound is not None:
        assert plan.bound >= plan.objective - 1e-6 * max(1.0, abs(plan.objective)), (
            f"bound {plan.bound} below objective {plan.objective}"
        )
    return plan


class StopOnceReached:
    """A cancel that fires once the solve's progress shows a plan worth ``target``: a test that only needs
    REFERENCE.md's floor need not spend the rest of its time limit proving more.

    The test still asserts on the plan returned, so a progress figure the plan does not keep fails it.  Pass
    ``on_progress=stop.on_progress, cancel=stop.cancel`` to ``solve`` / ``solve_model``.
    """

    def __init__(self, target: float) -> None:
        import threading

        self.target = target
        self.cancel = threading.Event()
        self.reached_at_s: float | None = None

    def on_progress(self, progress: Progress) -> None:
        if progress.objective is not None and progress.objective >= self.target and not self.cancel.is_set():
            self.reached_at_s = progress.elapsed_s
            self.cancel.set()
