"""The solver's optimum equals the best of ALL plans, found by exhaustive enumeration on tiny seeded scenarios.

The enumeration is written from MODEL.md on its own (it shares no code with
the solver, and reads eligibility straight from the data rather than through
the scenario helpers) and only ever discards plans that cannot be the best
valid one:

* a decision on a site or day that rules 1, 2 or 5 forbid can never be part of
  a valid plan, so it is not enumerated;
* a partial plan already over an order's quantity, a site's labour or machine
  hours, or a lender's consent stays invalid whatever is added, so it is cut;
* a loan the borrower does not need (one worker fewer still covers its
  minutes) is dominated: dropping that worker keeps every rule and never
  lowers the objective (commute and links only shrink).

Days are enumerated separately and joined by the totals that rules 3, 7, 8
and 9 see.  The winner is then handed to the independent checker, which must
accept it and agree on its value, so a bug in the enumeration cannot go
unnoticed by producing an invalid "optimum".
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from alliance import LoanRow, Plan, ProductionRow, Scenario, Status, check, load_scenario
from tests.factories import ScenarioBuilder, exact_options, solve_and_check

TOL = 1e-6
CASES = 20
# The enumeration refuses scenarios whose raw search space is above this: keeps every case well under a second.
SEARCH_BUDGET = 60_000


# ----- tiny seeded scenarios -------------------------------------------------------------------------

WORKERS = [0, 1, 1, 2, 2]  # idle workers of a skill on a day: at most 2, usually some


def random_scenario(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    horizon = rng.randint(1, 2)
    skills = ["forming", "glazing"][: rng.choice([1, 1, 1, 2])]
    machines = ["kiln"] if rng.random() < 0.4 else []
    builder = ScenarioBuilder(
        horizon_days=horizon,
        skills=skills,
        machines=machines,
        alliance_id=f"brute-{seed}",
        lend_radius_km=rng.choice([2.0, 4.0, 10.0, 10.0]),
        subcontract_radius_km=rng.choice([2.0, 3.0, 5.0, 10.0, 10.0]),
        commute_cost_per_km=rng.choice([0.0, 1.0, 2.5]),
        transport_cost_per_unit_km=rng.choice([0.0, 0.5, 1.0]),
        link_cost=rng.choice([0.0, 0.0, 4.0, 15.0]),
        transport_days=rng.choice([0, 0, 1]),
        max_subcontractors_per_order=rng.choice([0, 1, 1, 2, 2]),
    )
    firm_ids = [f"F{i}" for i in range(rng.randint(2, 3))]
    for fid in firm_ids:
        idle: dict[str, int | list[int]] = {}
        for skill in skills:
            if rng.random() < 0.85:
                per_day = rng.random() >= 0.6
                idle[skill] = [rng.choice(WORKERS) for _ in range(horizon)] if per_day else rng.choice(WORKERS)
        extra: dict[str, Any] = {}
        if rng.random() < 0.4:
            extra["lendable"] = {
                s: rng.randint(0, v) if isinstance(v, int) else [rng.randint(0, x) for x in v]
                for s, v in idle.items()
            }
        if machines and rng.random() < 0.7:
            extra["machine_hours"] = {"kiln": rng.choice([1, 2, 3.5])}
        others = [f for f in firm_ids if f != fid]
        builder.firm(
            fid,
            processes=[s for s in skills if rng.random() < 0.85],
            idle=idle,
            quality_level=rng.choice([0, 1]),
            accepts_subcontracts=rng.random() < 0.9,
            borrows_workers=rng.random() < 0.9,
            blocked_partners=[rng.choice(others)] if rng.random() < 0.15 else [],
            **extra,
        )
    for a, b in itertools.combinations(firm_ids, 2):
        builder.distance(a, b, rng.choice([1.0, 2.0, 3.0, 4.0, 6.0]))
    data = builder.to_dict()
    for k in range(rng.randint(1, 2)):
        owner = rng.choice(firm_ids)
        skill = rng.choice(skills)
        release = rng.randint(0, horizon - 1)
        order: dict[str, Any] = {
            "id": f"o{k}",
            "owner": owner,
            "process": skill,
            "skill": skill,
            "quantity": rng.randint(2, 6),
            # 480 / 160 = 3, 480 / 240 = 2, 480 / 480 = 1 unit per worker-day; 200 leaves minutes unused.
            "labor_minutes_per_unit": rng.choice([160, 200, 240, 480]),
            "release_day": release,
            "due_day": rng.randint(release, horizon - 1),
            "value_per_unit": rng.choice([3.0, 7.5, 12.0]),
            "min_quality_level": rng.choice([0, 0, 0, 1]),
            "subcontractable": rng.random() < 0.9,
            "min_lot": rng.choice([1, 1, 2, 3, 5]),
        }
        if machines and rng.random() < 0.6:
            order["machine"] = "kiln"
            order["machine_hours_per_unit"] = rng.choice([0.5, 1.0])
        if rng.random() < 0.3:
            order["transport_cost_per_unit_km"] = rng.choice([0.0, 2.0])
        data["orders"].append(order)
        ent = next(e for e in data["enterprises"] if e["id"] == owner)
        nobody_runs_it = not any(skill in e["processes"] for e in data["enterprises"])
        if (nobody_runs_it or rng.random() < 0.5) and skill not in ent["processes"]:
            ent["processes"].append(skill)
        if rng.random() < 0.7:  # a backlog owner: nobody of that skill idle at home, so matching is what pays
            ent.setdefault("idle_workers", {})[skill] = 0
            ent.pop("lendable_workers", None)
    return data


# ----- the enumeration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """MODEL.md's rules read straight from the scenario's fields (not through Scenario's helpers)."""

    s: Scenario

    def site_allowed(self, order_id: str, site: str, day: int) -> bool:
        o = self.s.order(order_id)
        g = self.s.enterprise(site)
        owner = self.s.enterprise(o.owner)
        if site == o.owner:
            return o.process in g.processes and o.release_day <= day <= o.due_day
        pol = self.s.policy
        return (
            o.subcontractable
            and o.process in g.processes
            and g.quality_level >= o.min_quality_level
            and g.accepts_subcontracts
            and self.km(o.owner, site) <= pol.subcontract_radius_km
            and site not in owner.blocked_partners
            and o.owner not in g.blocked_partners
            and o.release_day <= day <= o.due_day - pol.transport_days
        )

    def lend_allowed(self, lender: str, borrower: str) -> bool:
        a, b = self.s.enterprise(lender), self.s.enterprise(borrower)
        return (
            lender != borrower
            and self.km(lender, borrower) <= self.s.policy.lend_radius_km
            and borrower not in a.blocked_partners
            and lender not in b.blocked_partners
            and b.borrows_workers
        )

    def km(self, a: str, b: str) -> float:
        # Every pair has an override in these scenarios: read it, not the matrix.
        for d in self.s.distances_km:
            if {d.a, d.b} == {a, b}:
                return d.km
        raise AssertionError(f"no distance for {a}-{b}")


def _per_day(value: int | float | list[int] | list[float], day: int) -> float:
    return value[day] if isinstance(value, list) else value


def idle_of(s: Scenario, firm: str, skill: str, day: int) -> int:
    return int(_per_day(s.enterprise(firm).idle_workers.get(skill, 0), day))


def lendable_of(s: Scenario, firm: str, skill: str, day: int) -> int:
    e = s.enterprise(firm)
    source = e.idle_workers if e.lendable_workers is None else e.lendable_workers
    return int(_per_day(source.get(skill, 0), day))


def hours_of(s: Scenario, firm: str, machine: str, day: int) -> float:
    return float(_per_day(s.enterprise(firm).spare_machine_hours.get(machine, 0), day))


Cell = tuple[str, str]  # (order, site)
LoanKey = tuple[str, str, str]  # (skill, lender, borrower)
StateKey = tuple[tuple[tuple[Cell, int], ...], frozenset[frozenset[str]]]  # units per cell so far, loan links so far


@dataclass
class DayOption:
    units: dict[Cell, int]
    loans: dict[LoanKey, int]
    value: float  # value - transport - commute of this day's decisions (links are counted once, at the end)


class BruteForce:
    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.rules = Rules(s)
        self.firms = [e.id for e in s.enterprises]
        self.wd = s.policy.workday_minutes

    # --- one day -------------------------------------------------------------------------------

    def cells(self, t: int) -> list[Cell]:
        return [(o.id, g) for o in self.s.orders for g in self.firms if self.rules.site_allowed(o.id, g, t)]

    def loan_keys(self, t: int) -> list[LoanKey]:
        return [
            (sk, a, b)
            for sk in self.s.skills
            for a in self.firms
            for b in self.firms
            if self.rules.lend_allowed(a, b) and lendable_of(self.s, a, sk, t) > 0
        ]

    def loan_assignments(self, t: int) -> Iterator[dict[LoanKey, int]]:
        keys = self.loan_keys(t)
        ranges = [range(lendable_of(self.s, a, sk, t) + 1) for sk, a, _b in keys]
        for combo in itertools.product(*ranges):
            out: dict[tuple[str, str], int] = {}
            for (sk, a, _b), n in zip(keys, combo, strict=True):
                out[(a, sk)] = out.get((a, sk), 0) + n
            if all(n <= lendable_of(self.s, a, sk, t) for (a, sk), n in out.items()):
                yield {k: n for k, n in zip(keys, combo, strict=True) if n > 0}

    def day_options(self, t: int) -> list[DayOption]:
        s = self.s
        cells = self.cells(t)
        best: dict[tuple[tuple[int, ...], frozenset[frozenset[str]]], DayOption] = {}
        for loans in self.loan_assignments(t):
            workers = {(g, sk): idle_of(s, g, sk, t) for g in self.firms for sk in s.skills}
            for (sk, a, b), n in loans.items():
                workers[(a, sk)] -= n
                workers[(b, sk)] += n
            commute = sum(s.policy.commute_cost_per_km * self.rules.km(a, b) * n for (_sk, a, b), n in loans.items())
            for units in self._production(cells, t, workers):
                if self._has_needless_loan(cells, units, loans, workers):
                    continue
                value = -commute
                for (oid, g), q in zip(cells, units, strict=True):
                    o = s.order(oid)
                    value += o.value_per_unit * q
                    if g != o.owner:
                        value -= s.transport_rate(o) * self.rules.km(o.owner, g) * q
                pairs = frozenset(frozenset((a, b)) for (_sk, a, b) in loans)
                key = (units, pairs)
                if key not in best or value > best[key].value:
                    best[key] = DayOption(dict(zip(cells, units, strict=True)), loans, value)
        return list(best.values())

    def _production(self, cells: list[Cell], t: int, workers: dict[tuple[str, str], int]) -> Iterator[tuple[int, ...]]:
        """Every unit vector over the day's cells within quantity, labour and machine hours."""
        s = self.s
        minutes: dict[tuple[str, str], float] = {}
        hours: dict[tuple[str, str], float] = {}
        made: dict[str, int] = {}
        chosen: list[int] = []

        def rec(i: int) -> Iterator[tuple[int, ...]]:
            if i == len(cells):
                yield tuple(chosen)
                return
            oid, g = cells[i]
            o = s.order(oid)
            labour_key = (g, o.skill)
            machine_key = (g, o.machine or "")
            uses_machine = o.machine is not None and o.machine_hours_per_unit > 0
            before = (minutes.get(labour_key, 0.0), hours.get(machine_key, 0.0), made.get(oid, 0))
            for q in range(o.quantity - before[2] + 1):
                need = before[0] + o.labor_minutes_per_unit * q
                if need > self.wd * workers[labour_key] + 1e-9:
                    break
                machine_need = before[1] + (o.machine_hours_per_unit * q if uses_machine else 0.0)
                if uses_machine and machine_need > hours_of(s, g, o.machine or "", t) + 1e-9:
                    break
                minutes[labour_key], hours[machine_key], made[oid] = need, machine_need, before[2] + q
                chosen.append(q)
                yield from rec(i + 1)
                chosen.pop()
            minutes[labour_key], hours[machine_key], made[oid] = before

        return rec(0)

    def _has_needless_loan(
        self, cells: list[Cell], units: tuple[int, ...], loans: dict[LoanKey, int], workers: dict[tuple[str, str], int]
    ) -> bool:
        if not loans:
            return False
        minutes: dict[tuple[str, str], float] = {}
        for (oid, g), q in zip(cells, units, strict=True):
            o = self.s.order(oid)
            minutes[(g, o.skill)] = minutes.get((g, o.skill), 0.0) + o.labor_minutes_per_unit * q
        return any(
            minutes.get((b, sk), 0.0) <= self.wd * (workers[(b, sk)] - 1) + 1e-9 for (sk, _a, b) in loans
        )

    # --- all days together ---------------------------------------------------------------------------

    def search_space(self) -> int:
        size = 1
        for t in range(self.s.horizon_days):
            loans = sum(1 for _ in self.loan_assignments(t))
            cells = math.prod(self.s.order(oid).quantity + 1 for oid, _g in self.cells(t))
            size *= loans * cells
        return size

    def best(self) -> tuple[float, Plan]:
        s = self.s
        pol = s.policy
        # state: units per (order, site) so far, pairs linked by loans so far -> (value, chosen day options)
        states: dict[StateKey, tuple[float, list[tuple[int, DayOption]]]] = {((), frozenset()): (0.0, [])}
        for t in range(s.horizon_days):
            options = self.day_options(t)
            nxt: dict[StateKey, tuple[float, list[tuple[int, DayOption]]]] = {}
            for (totals, pairs), (value, rows) in states.items():
                for opt in options:
                    merged = dict(totals)
                    for cell, q in opt.units.items():
                        if q:
                            merged[cell] = merged.get(cell, 0) + q
                    per_order: dict[str, int] = {}
                    for (oid, _g), q in merged.items():
                        per_order[oid] = per_order.get(oid, 0) + q
                    if any(q > s.order(oid).quantity for oid, q in per_order.items()):
                        continue
                    loan_pairs = frozenset(frozenset((a, b)) for _sk, a, b in opt.loans)
                    key = (tuple(sorted(merged.items())), pairs | loan_pairs)
                    total = value + opt.value
                    if key not in nxt or total > nxt[key][0]:
                        nxt[key] = (total, [*rows, (t, opt)])
            states = nxt

        best_value: float = -math.inf
        best_rows: list[tuple[int, DayOption]] = []
        for (totals, pairs), (value, rows) in states.items():
            sites: dict[str, set[str]] = {}
            links = set(pairs)
            ok = True
            for (oid, g), q in totals:
                o = s.order(oid)
                if g == o.owner or q == 0:
                    continue
                if q < min(o.min_lot, o.quantity):
                    ok = False
                    break
                sites.setdefault(oid, set()).add(g)
                links.add(frozenset((o.owner, g)))
            if not ok or any(len(v) > pol.max_subcontractors_per_order for v in sites.values()):
                continue
            objective = value - pol.link_cost * len(links)
            if objective > best_value + 1e-9:
                best_value, best_rows = objective, rows
        return best_value, self._plan(best_rows, best_value)

    def _plan(self, rows: list[tuple[int, DayOption]], value: float) -> Plan:
        production = [
            ProductionRow(order=oid, site=g, day=t, quantity=q)
            for t, opt in rows
            for (oid, g), q in opt.units.items()
            if q
        ]
        loans = [
            LoanRow(skill=sk, lender=a, borrower=b, day=t, workers=n)
            for t, opt in rows
            for (sk, a, b), n in opt.loans.items()
        ]
        return Plan(status=Status.OPTIMAL, objective=value, production=production, loans=loans)


# ----- which seeds -------------------------------------------------------------------------------------


def interesting_seeds(count: int) -> list[int]:
    """The first seeds whose scenario is small enough to enumerate and where some plan is worth more than nothing."""
    seeds: list[int] = []
    seed = 0
    while len(seeds) < count:
        s = load_scenario(random_scenario(seed))
        search = BruteForce(s)
        if search.search_space() <= SEARCH_BUDGET and search.best()[0] > TOL:
            seeds.append(seed)
        seed += 1
        assert seed < 20 * count, "the generator makes too few tractable, non-trivial scenarios"
    return seeds


SEEDS = interesting_seeds(CASES)


@pytest.mark.parametrize("seed", SEEDS)
def test_solver_matches_the_exhaustive_optimum(seed: int) -> None:
    s = load_scenario(random_scenario(seed))
    expected, witness = BruteForce(s).best()
    # The enumeration's winner is a real plan worth what the enumeration says.
    verdict = check(s, witness)
    assert verdict.ok, verdict.violations
    assert verdict.objective == pytest.approx(expected, abs=TOL)

    plan = solve_and_check(s, exact_options(time_limit_s=10))
    assert plan.status is Status.OPTIMAL
    assert plan.objective == pytest.approx(expected, abs=TOL), (
        f"seed {seed}: solver {plan.objective} vs exhaustive {expected}\nwitness {witness.production} {witness.loans}"
    )


def test_the_seeded_cases_match_across_firms() -> None:
    # Guard against a generator whose optima never sub-contract or lend: the solver's matching would go untested.
    results = [BruteForce(load_scenario(random_scenario(seed))).best() for seed in SEEDS]
    sub_contracted = sum(
        1
        for seed, (_v, plan) in zip(SEEDS, results, strict=True)
        if any(r.site != load_scenario(random_scenario(seed)).order(r.order).owner for r in plan.production)
    )
    lent = sum(1 for _v, plan in results if plan.loans)
    assert sub_contracted >= 3
    assert lent >= 3


def test_the_enumeration_finds_a_known_optimum() -> None:
    # Hand case: A needs workers, B lends (2 km, commute 1/km) or makes a lot of 3 itself; min_lot 3.
    # A alone: 1 worker, 2 units (240 min) = 20.  B's 1 worker: either 2 units at B (lot 3 unreachable)
    # or lent to A for 2 more units: 20 - 2 = 18.  Optimum 38.
    s = (
        ScenarioBuilder(lend_radius_km=5, commute_cost_per_km=1.0, transport_days=0)
        .firm("A", idle=1)
        .firm("B", idle=1)
        .distance("A", "B", 2.0)
        .order("o0", owner="A", quantity=6, value=10, labor_minutes=240, min_lot=3)
        .build()
    )
    value, plan = BruteForce(s).best()
    assert value == pytest.approx(38)
    assert [(r.site, r.quantity) for r in plan.production] == [("A", 4)]
    assert [(ln.lender, ln.borrower, ln.workers) for ln in plan.loans] == [("B", "A", 1)]
