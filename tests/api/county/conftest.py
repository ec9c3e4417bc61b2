"""A county with two parks, for the county tests.

County ``county-test`` (coordinator ``ccoord``, guide ``cguide``, direct member K) above park A (firms A, B;
``pa-coord``, ``pa-guide``) and park B (firms C, D; ``pb-coord``, ``pb-guide``).  In park A, firm A has 60 units
of 60 minutes due on day 2 and one idle worker; B lends its one worker, so the park plan leaves 12 units unmet.
In park B nobody has orders: C (5 km from A) and D (5 km the other way) each have one consenting idle worker;
C will not work with D.
The county round starts one day after the parks' rounds (calendar-date mapping is part of what is tested).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.conftest import ADMIN, ROUND_BODY, Api, Backend, credit, ok, start, wait_job
from tests.factories import latlon_at

PARK_ROUND = {**ROUND_BODY, "start_date": "2026-12-07"}
COUNTY_ROUND = {**ROUND_BODY, "name": "县级轮次 / county round", "start_date": "2026-12-08"}

# code: (park, north_km, processes, idle forming, lendable, orders)
FIRMS: dict[str, tuple[str, float, list[str], int, int, list[dict[str, Any]]]] = {
    "A": ("pa", 0.0, ["forming"], 1, 0, [{"id": "o1", "process": "forming", "skill": "forming", "quantity": 60,
                                          "labor_minutes_per_unit": 60, "due_day": 2, "value_per_unit": 100}]),
    "B": ("pa", 2.0, [], 1, 1, []),
    "C": ("pb", 5.0, ["forming"], 1, 1, []),
    "D": ("pb", -5.0, [], 1, 1, []),
    "K": ("county", 40.0, [], 0, 0, []),
}


@dataclass
class County:
    api: Api
    alliances: dict[str, int] = field(default_factory=dict)
    firms: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


def approve_plan(api: Api, coord: str, guide: str, round_id: int, time_limit: float = 5) -> tuple[int, int]:
    job = ok(api.as_(coord).post(f"/api/v1/rounds/{round_id}/jobs", json={"time_limit_s": time_limit}), 202)
    assert wait_job(api.as_(coord), job["id"])["status"] == "succeeded"
    proposal = ok(api.as_(coord).post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    ok(api.as_(coord).post(f"/api/v1/proposals/{proposal['id']}/submit"))
    ok(api.as_(guide).post(f"/api/v1/proposals/{proposal['id']}/review", json={"decision": "approve"}))
    return job["id"], proposal["id"]


def build_county(api: Api) -> County:
    api.login(*ADMIN)
    admin = api.as_(ADMIN[0])
    world = County(api)
    for key, code, name in (("county", "county-test", "测试县级联盟"), ("pa", "park-a", "甲园区"),
                            ("pb", "park-b", "乙园区")):
        world.alliances[key] = ok(admin.post("/api/v1/alliances", json={"code": code, "name": name}), 201)["id"]
    for park in ("pa", "pb"):
        ok(admin.put(f"/api/v1/county/alliances/{world.alliances[park]}/parent",
                     json={"parent_id": world.alliances["county"]}))
    for i, (code, (where, north, processes, _, _, _)) in enumerate(FIRMS.items(), start=31):
        lat, lon = latlon_at(north)
        body = {"code": code, "credit_code": credit(i), "name": f"瓷厂 {code}", "lat": lat, "lon": lon,
                "processes": processes, "wage_per_day": 200.0, "quality_level": 1}
        world.firms[code] = ok(admin.post(f"/api/v1/alliances/{world.alliances[where]}/enterprises", json=body),
                               201)["id"]

    def user(username: str, role: str, **links: Any) -> None:
        body = {"username": username, "password": f"{username}-pass", "role": role, **links}
        world.users[username] = ok(admin.post("/api/v1/users", json=body), 201)["id"]
        api.login(username, f"{username}-pass")

    for prefix, key in (("c", "county"), ("pa-", "pa"), ("pb-", "pb")):
        user(f"{prefix}coord", "coordinator", alliance_id=world.alliances[key])
        user(f"{prefix}guide", "guide")
        ok(admin.put(f"/api/v1/alliances/{world.alliances[key]}/guides/{world.users[f'{prefix}guide']}"), 204)
    for code in FIRMS:
        user(f"clerk-{code.lower()}", "enterprise", enterprise_id=world.firms[code])

    for key, coord in (("pa", "pa-coord"), ("pb", "pb-coord")):
        world.rounds[key] = ok(api.as_(coord).post(f"/api/v1/alliances/{world.alliances[key]}/rounds",
                                                   json=PARK_ROUND), 201)["id"]
    world.rounds["county"] = ok(api.as_("ccoord").post(f"/api/v1/alliances/{world.alliances['county']}/rounds",
                                                       json=COUNTY_ROUND), 201)["id"]
    for code, (where, _, _, idle, lendable, orders) in FIRMS.items():
        body = {"idle_workers": {"forming": idle}, "lendable_workers": {"forming": lendable}, "orders": orders,
                "blocked_partners": ["D"] if code == "C" else []}
        ok(api.as_(f"clerk-{code.lower()}").put(
            f"/api/v1/rounds/{world.rounds[where]}/reports/{world.firms[code]}", json=body), 201)
    return world


@pytest.fixture(scope="module")
def county(backend: Backend) -> Iterator[County]:
    client, api = start(backend)
    try:
        yield build_county(api)
    finally:
        client.__exit__(None, None, None)


def escalate_both(world: County) -> dict[str, int]:
    """Both parks plan, get approved (A and B confirm their loan) and escalate; the offers' ids by firm code."""
    api, r = world.api, world.rounds
    _, proposal = approve_plan(api, "pa-coord", "pa-guide", r["pa"])
    for item in ok(api.as_("pa-coord").get(f"/api/v1/proposals/{proposal}/items")):
        for clerk in ("clerk-a", "clerk-b"):
            ok(api.as_(clerk).post(f"/api/v1/items/{item['id']}/respond", json={"answer": "confirm"}))
    approve_plan(api, "pb-coord", "pb-guide", r["pb"])
    offers = {}
    for coord, park in (("pa-coord", "pa"), ("pb-coord", "pb")):
        esc = ok(api.as_(coord).post(f"/api/v1/county/rounds/{r[park]}/escalations",
                                     json={"to_round_id": r["county"]}), 201)
        offers.update({e["enterprise"]["code"]: e["id"] for e in esc["entries"]})
    return offers


def county_item(world: County) -> tuple[int, int, dict[str, Any]]:
    """D withdraws (so C is the one helper), the county plans, its guide approves: (job, proposal, the item)."""
    api, r = world.api, world.rounds
    ok(api.as_("clerk-d").post(f"/api/v1/county/offers/{world.state['offers']['D']}/withdraw"))
    job, proposal = approve_plan(api, "ccoord", "cguide", r["county"])
    [item] = ok(api.as_("ccoord").get(f"/api/v1/proposals/{proposal}/items"))
    return job, proposal, item
