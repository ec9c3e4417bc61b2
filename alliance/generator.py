"""Deterministic generator of realistic alliance scenarios, for examples, tests and benchmarks.

The shapes and magnitudes follow the shared sample scenarios (``shared/scenarios``):
ids ``E001``/``O0001``, the five ceramics steps forming/glazing/firing/decorating/packing
with their machines, idle workers given per day, lendable <= idle, a few blocked pairs,
a few firms that take no sub-contracts or borrow no workers, minimum lots and quality
levels.  What the samples only hint at is made explicit here:

* **staggered off-seasons** — every firm has a window of days in which it has more idle
  workers (its own orders are done); windows start on different days, so on a given day
  some firms carry a backlog while their neighbours stand idle;
* **busy and slack firms** — roughly two firms in five are busy (few idle workers, most
  of the backlog orders), the others are slack;
* **tightness** — idle worker-days are scaled per skill against the worker-days the
  backlog needs: about equal with ``tight=True`` (as in the ``tight-*`` samples), about
  five times more otherwise;
* **geography** — up to :data:`SINGLE_PARK_MAX_FIRMS` firms sit in one industrial park
  around the Dehua county seat; larger alliances are a county chain of several parks
  spread over ~30x30 km, so each firm keeps a few to a few dozen neighbours within the
  sub-contracting radius instead of hundreds.

The same arguments always give the same scenario (``numpy.random.default_rng`` streams spawned from ``seed``),
and the result is a validated :class:`~alliance.scenario.Scenario`.
"""

from __future__ import annotations

import itertools
import json
import math
from datetime import date
from typing import Any

import numpy as np

from alliance.scenario import EARTH_RADIUS_KM, Scenario, load_scenario

CENTER_LAT = 25.49  # Dehua county seat (浔中/龙浔)
CENTER_LON = 118.24
KM_PER_DEG_LAT = EARTH_RADIUS_KM * math.pi / 180.0
KM_PER_DEG_LON = KM_PER_DEG_LAT * math.cos(math.radians(CENTER_LAT))

START_DATE = date(2026, 12, 7)  # a Monday, as in the shared samples

SKILLS = ("forming", "glazing", "firing", "decorating", "packing")
MACHINES = ("roller_line", "kiln", "decal_kiln")
# Each ceramics step is done by workers of the same name; three of them need a machine.
MACHINE_OF_PROCESS: dict[str, str | None] = {
    "forming": "roller_line",
    "glazing": None,
    "firing": "kiln",
    "decorating": "decal_kiln",
    "packing": None,
}
WAGES = (180.0, 200.0, 220.0, 250.0)
MIN_LOTS = (1, 50, 100, 200, 500)

SINGLE_PARK_MAX_FIRMS = 40
FIRMS_PER_PARK = 25  # county mode: parks hold ~25 firms on average
PARK_SPREAD_KM = 0.8  # county mode: standard deviation of a firm's offset from its park centre
PARK_MAX_OFFSET_KM = 2.2
COUNTY_MIN_SIDE_KM = 30.0

# Idle worker-days per needed worker-day: ~1 is tight (samples: 1.05), loose samples have 4-7.
TIGHT_IDLE_PER_NEED = 1.0
LOOSE_IDLE_PER_NEED = 5.0

# Brand characters for invented firm names; pairs that are (or sound like) real Dehua trademarks are excluded.
_BRAND_FIRST = "瑞鸿盛兴泰宏嘉隆丰新源晟锦恒荣祥和达成裕鑫诚春永宝金玉云润益昌祺"
_BRAND_SECOND = "和华源盛泰丰兴昌达成瑞祥鑫福隆宏顺发康利辉艺轩雅瓷窑峰林森彩"
_REAL_BRANDS = frozenset({"顺美", "佳美", "冠福", "富东", "永德", "月记", "蕴玉", "华联", "红旗", "协发", "嘉顺",
                          "德胜", "泰峰", "华兴", "恒盛", "鸿盛", "丰源", "宏达", "金达", "新华"})
_NAME_SUFFIXES = ("陶瓷有限公司", "瓷业有限公司", "工艺品有限公司", "陶瓷制品有限公司", "陶瓷厂")


def generate_alliance(
    n_firms: int,
    *,
    n_orders: int | None = None,
    horizon_days: int = 14,
    seed: int = 0,
    tight: bool = False,
    link_cost: float = 300.0,
    name: str | None = None,
    idle_per_need: float | None = None,
) -> Scenario:
    """A valid, realistic scenario of ``n_firms`` firms and ``n_orders`` backlog orders (default ~1.7 per firm).

    ``idle_per_need`` (idle worker-days per worker-day the backlog needs, per skill) defaults
    to 1 when ``tight`` and 5 otherwise; set it to place a scenario in between.  Firms, orders
    and geography come from their own random streams, so the tight and the loose scenario of
    one seed share them and differ only in idle and lendable workers.

    Raises ``ValueError`` naming the argument when an argument is out of range.
    """
    _check_arguments(n_firms, n_orders, horizon_days, link_cost, idle_per_need)
    if n_orders is None:
        n_orders = max(1, round(1.7 * n_firms))
    if idle_per_need is None:
        idle_per_need = TIGHT_IDLE_PER_NEED if tight else LOOSE_IDLE_PER_NEED
    geo_rng, firm_rng, name_rng, order_rng, idle_rng, consent_rng = (
        np.random.default_rng(stream) for stream in np.random.SeedSequence(seed).spawn(6)
    )

    county = n_firms > SINGLE_PARK_MAX_FIRMS
    east_km, north_km = _county_layout(geo_rng, n_firms) if county else _park_layout(geo_rng, n_firms)
    lats = np.round(CENTER_LAT + north_km / KM_PER_DEG_LAT, 6)
    lons = np.round(CENTER_LON + east_km / KM_PER_DEG_LON, 6)
    # Parks are compact, so the county chain uses shorter radii: neighbours stay "a few dozen".
    lend_radius, subcontract_radius = (2.0, 5.0) if county else (2.5, 6.0)
    blocked = _blocked_pairs(geo_rng, east_km, north_km, subcontract_radius)

    firm_ids = [f"E{i + 1:03d}" for i in range(n_firms)]
    busy = firm_rng.random(n_firms) < 0.4
    processes = [_processes(firm_rng) for _ in range(n_firms)]
    names = _firm_names(name_rng, n_firms)
    orders = _orders(order_rng, n_orders, horizon_days, firm_ids, busy, processes)
    idle = _idle_workers(idle_rng, horizon_days, busy, processes, orders, idle_per_need)

    enterprises = []
    for i, fid in enumerate(firm_ids):
        # Firm-wide share of idle workers who agreed to be lent (共享用工 needs the worker's consent).
        draw = firm_rng.random()
        consent = 0.0 if draw < 0.05 else 1.0 if draw < 0.25 else float(firm_rng.uniform(0.6, 0.95))
        lendable = {skill: _thin(consent_rng, value, consent) for skill, value in idle[i].items()}
        enterprises.append({
            "id": fid,
            "name": names[i],
            "lat": float(lats[i]),
            "lon": float(lons[i]),
            "quality_level": int(firm_rng.choice(4, p=[0.3, 0.3, 0.25, 0.15])),
            "processes": processes[i],
            "idle_workers": idle[i],
            "lendable_workers": lendable,
            "spare_machine_hours": _machine_hours(firm_rng, horizon_days, processes[i]),
            "wage_per_day": float(firm_rng.choice(WAGES)),
            "accepts_subcontracts": bool(firm_rng.random() >= 0.06),
            "borrows_workers": bool(firm_rng.random() >= 0.08),
            "blocked_partners": [firm_ids[j] for j in blocked.get(i, [])],
        })

    if idle_per_need == TIGHT_IDLE_PER_NEED:
        suffix, label = "-tight", "紧"
    elif idle_per_need == LOOSE_IDLE_PER_NEED:
        suffix, label = "", "松"
    else:
        suffix, label = f"-r{idle_per_need:g}", f"闲置/需求 {idle_per_need:g}"
    data: dict[str, Any] = {
        "alliance": {
            "id": f"gen-{n_firms}{suffix}-s{seed}",
            "name": name or f"德化陶瓷产业链党建联盟（{n_firms}家，{label}，种子{seed}）",
        },
        "horizon_days": horizon_days,
        "start_date": START_DATE.isoformat(),
        "skills": list(SKILLS),
        "machines": list(MACHINES),
        "policy": {
            "lend_radius_km": lend_radius,
            "subcontract_radius_km": subcontract_radius,
            "commute_cost_per_km": 1.5,
            "transport_cost_per_unit_km": 0.005,
            "link_cost": float(link_cost),
            "transport_days": 1,
            "max_subcontractors_per_order": 3,
            "workday_minutes": 480,
        },
        "enterprises": enterprises,
        "orders": orders,
    }
    return load_scenario(data)


def scenario_to_json(scenario: Scenario) -> str:
    """Readable JSON of a scenario: Chinese kept as is, lists of numbers on one line, unset options left out.

    ``load_scenario(scenario_to_json(s)) == s`` holds for every scenario.
    """
    data = scenario.model_dump(mode="json", exclude_none=True)
    return _compact_json(data, 0) + "\n"


def needed_worker_days(scenario: Scenario) -> dict[str, float]:
    """Per skill: worker-days the whole backlog needs (quantity x minutes per unit / workday)."""
    need = dict.fromkeys(scenario.skills, 0.0)
    for o in scenario.orders:
        need[o.skill] += o.quantity * o.labor_minutes_per_unit / scenario.policy.workday_minutes
    return need


def idle_worker_days(scenario: Scenario) -> dict[str, int]:
    """Per skill: idle worker-days summed over firms and days."""
    idle = dict.fromkeys(scenario.skills, 0)
    for e in scenario.enterprises:
        for skill in scenario.skills:
            idle[skill] += sum(scenario.idle(e.id, skill, t) for t in range(scenario.horizon_days))
    return idle


def tightness(scenario: Scenario) -> float:
    """Needed worker-days over idle worker-days: ~1 for tight scenarios, ~0.2 for loose ones."""
    idle = sum(idle_worker_days(scenario).values())
    return sum(needed_worker_days(scenario).values()) / max(1, idle)


# ----- arguments -------------------------------------------------------------------------------


def _check_arguments(
    n_firms: int, n_orders: int | None, horizon_days: int, link_cost: float, idle_per_need: float | None
) -> None:
    if isinstance(n_firms, bool) or not isinstance(n_firms, int) or n_firms < 1:
        raise ValueError(f"n_firms must be an integer >= 1, got {n_firms!r} / 企业数须为正整数")
    if n_orders is not None and (isinstance(n_orders, bool) or not isinstance(n_orders, int) or n_orders < 0):
        raise ValueError(f"n_orders must be an integer >= 0, got {n_orders!r} / 订单数须为非负整数")
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or not 1 <= horizon_days <= 366:
        raise ValueError(f"horizon_days must be an integer in 1..366, got {horizon_days!r} / 计划天数须在1至366之间")
    if not math.isfinite(link_cost) or link_cost < 0:
        raise ValueError(f"link_cost must be a finite number >= 0, got {link_cost!r} / 结对成本须为非负数")
    if idle_per_need is not None and not (math.isfinite(idle_per_need) and idle_per_need > 0):
        raise ValueError(f"idle_per_need must be a finite number > 0, got {idle_per_need!r} / 闲置与需求之比须为正数")


# ----- geography -------------------------------------------------------------------------------


def _park_layout(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One park around the county seat, ~7x7 km as in the 24-firm samples (east, north km)."""
    return rng.uniform(-3.5, 3.5, n), rng.uniform(-3.3, 3.3, n)


def _county_layout(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Several compact parks on a jittered grid over the county (east, north km).

    The county side grows past 30 km only for very large chains, so that the density
    of firms within the sub-contracting radius stays that of a real county.
    """
    n_parks = math.ceil(n / FIRMS_PER_PARK)
    grid = math.ceil(math.sqrt(n_parks))
    side = max(COUNTY_MIN_SIDE_KM, 1.25 * math.sqrt(n))
    cell = side / grid
    cells = rng.choice(grid * grid, size=n_parks, replace=False)
    centre_east = (cells % grid + 0.5 + rng.uniform(-0.25, 0.25, n_parks)) * cell - side / 2
    centre_north = (cells // grid + 0.5 + rng.uniform(-0.25, 0.25, n_parks)) * cell - side / 2
    # Uneven park sizes (a few big parks, several small township ones), at least 6 firms each.
    weights = rng.gamma(4.0, 1.0, n_parks)
    sizes = np.maximum(6, np.floor(weights / weights.sum() * n)).astype(int)
    while sizes.sum() > n:
        sizes[int(np.argmax(sizes))] -= 1
    while sizes.sum() < n:
        sizes[int(rng.integers(n_parks))] += 1
    park_of_firm = np.repeat(np.arange(n_parks), sizes)
    offsets = np.clip(rng.normal(0.0, PARK_SPREAD_KM, (n, 2)), -PARK_MAX_OFFSET_KM, PARK_MAX_OFFSET_KM)
    east = centre_east[park_of_firm] + offsets[:, 0]
    north = centre_north[park_of_firm] + offsets[:, 1]
    return east, north


def _blocked_pairs(
    rng: np.random.Generator, east: np.ndarray, north: np.ndarray, radius_km: float
) -> dict[int, list[int]]:
    """About one blocked pair per 12 firms, between near neighbours (a block far away would change nothing)."""
    n = len(east)
    if n < 2:
        return {}
    dist = np.hypot(east[:, None] - east[None, :], north[:, None] - north[None, :])
    wanted = max(1, round(n / 12))
    pairs: set[tuple[int, int]] = set()
    for _ in range(20 * wanted):
        if len(pairs) >= wanted:
            break
        a = int(rng.integers(n))
        near = [int(j) for j in np.argsort(dist[a])[1:6] if dist[a, j] <= radius_km]
        if not near:
            continue
        b = near[int(rng.integers(len(near)))]
        pair = (min(a, b), max(a, b))
        if pair not in pairs:
            pairs.add(pair)
    blocked: dict[int, list[int]] = {}
    for a, b in sorted(pairs):
        # The refusal is written on one side only; the rules read it in both directions.
        first, second = (a, b) if rng.random() < 0.5 else (b, a)
        blocked.setdefault(first, []).append(second)
    return blocked


# ----- firms -----------------------------------------------------------------------------------


def _processes(rng: np.random.Generator) -> list[str]:
    """2 to 5 of the five steps, in the samples' alphabetical order."""
    chosen = [p for p in SKILLS if rng.random() < 0.55]
    while len(chosen) < 2:
        extra = SKILLS[int(rng.integers(len(SKILLS)))]
        if extra not in chosen:
            chosen.append(extra)
    return sorted(chosen)


def _firm_names(rng: np.random.Generator, n: int) -> list[str]:
    brands = [a + b for a, b in itertools.product(_BRAND_FIRST, _BRAND_SECOND) if a != b and a + b not in _REAL_BRANDS]
    order = rng.permutation(len(brands))
    names = []
    for i in range(n):
        brand = brands[int(order[i % len(brands)])]
        suffix = _NAME_SUFFIXES[int(rng.integers(len(_NAME_SUFFIXES)))]
        # Only chains larger than the brand pool reuse a brand; the branch number keeps names unique.
        branch = f"{i // len(brands) + 1}分厂" if i >= len(brands) else ""
        names.append(f"德化县{brand}{suffix}{branch}")
    return names


def _machine_hours(rng: np.random.Generator, horizon: int, processes: list[str]) -> dict[str, float | list[float]]:
    hours: dict[str, float | list[float]] = {}
    for process in processes:
        machine = MACHINE_OF_PROCESS[process]
        if machine is None or machine in hours:
            continue
        if rng.random() < 0.4:
            hours[machine] = float(rng.integers(4, 41))
        else:
            hours[machine] = [float(h) for h in rng.integers(0, 41, horizon)]
    return hours


def _idle_workers(
    rng: np.random.Generator,
    horizon: int,
    busy: np.ndarray,
    processes: list[list[str]],
    orders: list[dict[str, Any]],
    idle_per_need: float,
) -> list[dict[str, int | list[int]]]:
    """Idle workers per firm, skill and day, with staggered off-seasons, scaled to the backlog per skill."""
    n = len(processes)
    days = np.arange(horizon)
    # Raw (unscaled) idle levels: firm level x skill weight x off-season shape x daily noise.
    raw: list[dict[str, np.ndarray]] = []
    constant: list[dict[str, bool]] = []
    for i in range(n):
        level = rng.uniform(0.3, 1.5) if busy[i] else rng.uniform(2.0, 10.0)
        length = int(rng.integers(max(1, horizon // 4), max(1, horizon // 2) + 1))
        start = int(rng.integers(0, horizon))
        in_off_season = (days >= start) & (days < start + length)
        low, high = (0.3, 1.0) if busy[i] else (0.6, 1.6)
        shape = np.where(in_off_season, high, low)
        firm_raw, firm_constant = {}, {}
        for skill in processes[i]:
            weight = rng.uniform(0.3, 1.5)
            steady = bool(rng.random() < 0.35)
            noise = np.ones(horizon) if steady else rng.uniform(0.7, 1.3, horizon)
            values = level * weight * (np.full(horizon, shape.mean()) if steady else shape * noise)
            firm_raw[skill] = values
            firm_constant[skill] = steady
        raw.append(firm_raw)
        constant.append(firm_constant)

    need = dict.fromkeys(SKILLS, 0.0)
    for o in orders:
        need[o["skill"]] += o["quantity"] * o["labor_minutes_per_unit"] / 480.0
    mean_need = sum(need.values()) / len(SKILLS)
    scale: dict[str, float] = {}
    targets: dict[str, float] = {}
    for skill in SKILLS:
        # A skill no order needs still has some idle workers (they can be lent for nothing, or stay home).
        target = targets[skill] = max(need[skill], 0.3 * mean_need) * idle_per_need
        total_raw = sum(float(r[skill].sum()) for r in raw if skill in r)
        scale[skill] = target / total_raw if total_raw > 0 else 0.0

    idle: list[dict[str, int | list[int]]] = []
    for i in range(n):
        firm_idle: dict[str, int | list[int]] = {}
        for skill, values in raw[i].items():
            scaled = values * scale[skill]
            if constant[i][skill]:
                # Stochastic rounding keeps the expected total equal to the target.
                firm_idle[skill] = math.floor(scaled[0] + rng.random())
            else:
                firm_idle[skill] = [int(v) for v in np.floor(scaled + rng.random(horizon))]
        idle.append(firm_idle)
    for skill in SKILLS:
        if scale[skill] > 0:
            _correct_total(rng, idle, skill, round(targets[skill]), horizon)
    return idle


def _correct_total(
    rng: np.random.Generator, idle: list[dict[str, int | list[int]]], skill: str, target: int, horizon: int
) -> None:
    """Move a skill's idle worker-days onto its target, one worker-day at a time on random firm-days.

    Rounding alone leaves a small alliance's total some worker-days off, enough to make
    one skill of a "tight" scenario noticeably loose or short.
    """
    total = sum(sum(v) if isinstance(v, list) else v * horizon for f in idle for k, v in f.items() if k == skill)
    daily = [f[skill] for f in idle if isinstance(f.get(skill), list)]
    steady = [f for f in idle if isinstance(f.get(skill), int)]
    while total != target:
        step = 1 if total < target else -1
        if daily:
            values = daily[int(rng.integers(len(daily)))]
            assert isinstance(values, list)
            day = int(rng.integers(horizon))
            if values[day] + step < 0:
                if not any(any(v) for v in daily if isinstance(v, list)):
                    return
                continue
            values[day] += step
            total += step
        elif steady and abs(target - total) * 2 >= horizon:
            firm = steady[int(rng.integers(len(steady)))]
            current = firm[skill]
            assert isinstance(current, int)
            if current + step < 0:
                continue
            firm[skill] = current + step
            total += step * horizon
        else:
            return


def _thin(rng: np.random.Generator, idle: int | list[int], consent: float) -> int | list[int]:
    """Lendable workers: each idle worker consents with probability ``consent`` (so lendable <= idle)."""
    if isinstance(idle, list):
        return [int(v) for v in rng.binomial(idle, consent)]
    return int(rng.binomial(idle, consent))


# ----- orders ----------------------------------------------------------------------------------


def _orders(
    rng: np.random.Generator,
    n_orders: int,
    horizon: int,
    firm_ids: list[str],
    busy: np.ndarray,
    processes: list[list[str]],
) -> list[dict[str, Any]]:
    # Busy firms carry most of the backlog.
    weights = np.where(busy, 3.0, 1.0)
    weights = weights / weights.sum()
    latest_release = min(4, horizon // 3)
    orders = []
    for k in range(n_orders):
        owner = int(rng.choice(len(firm_ids), p=weights))
        # One order in twenty belongs to a firm without that step (a trading firm taking orders it cannot make).
        if rng.random() < 0.05:
            process = SKILLS[int(rng.integers(len(SKILLS)))]
        else:
            process = processes[owner][int(rng.integers(len(processes[owner])))]
        release = int(rng.integers(0, latest_release + 1))
        if release >= horizon - 1:
            due = horizon - 1
        else:
            due = release + 1 + int(rng.integers(0, min(horizon - 1 - release, 8)))
        order: dict[str, Any] = {
            "id": f"O{k + 1:04d}",
            "owner": firm_ids[owner],
            "process": process,
            "skill": process,
            "quantity": int(rng.integers(80, 3001)),
            "labor_minutes_per_unit": round(float(rng.uniform(0.7, 12.0)), 2),
            "release_day": release,
            "due_day": due,
            "value_per_unit": round(float(rng.uniform(1.1, 15.0)), 2),
            "min_quality_level": int(rng.choice(3, p=[0.5, 0.25, 0.25])),
            "subcontractable": bool(rng.random() >= 0.1),
            "min_lot": int(rng.choice(MIN_LOTS)),
        }
        machine = MACHINE_OF_PROCESS[process]
        if machine is not None:
            order["machine"] = machine
            order["machine_hours_per_unit"] = round(float(rng.uniform(0.0015, 0.05)), 4)
        if rng.random() < 1 / 3:
            # Fragile or bulky goods cost more to truck back than the alliance default.
            order["transport_cost_per_unit_km"] = round(float(rng.uniform(0.004, 0.05)), 4)
        orders.append(order)
    return orders


# ----- JSON ------------------------------------------------------------------------------------


def _compact_json(value: Any, indent: int) -> str:
    """Indented JSON whose lists of scalars (per-day values, codes) stay on one line."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_compact_json(v, indent + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        return "[\n" + ",\n".join(inner + _compact_json(v, indent + 1) for v in value) + "\n" + pad + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # 300.0 yuan reads as 300, as in the shared samples; the schema turns it back into a float.
        return str(int(value))
    return json.dumps(value, ensure_ascii=False)
