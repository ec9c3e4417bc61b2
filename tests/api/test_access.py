"""Who reaches what: a role x endpoint matrix, and guessed ids that reveal nothing.

Alliance 1 holds a (closed) round, reports, a succeeded job, an approved proposal whose loan B->A both firms
confirmed.  Alliance 2 holds the same kinds of things.  The matrix states the status every account gets on
alliance 1's resources; then every account outside alliance 2 must get exactly the same answer for alliance
2's resources as for ids that do not exist at all (404, or 403 where the role may never do it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import Backend, World, build_world, ok, report_body, start, wait_job

ROLES = ["root", "coord", "coord2", "guide", "guide2", "clerk-a", "clerk-c", "clerk-x"]
MISSING = 987654


@dataclass
class Ids:
    a: int  # alliance
    r: int  # round
    e: int  # enterprise A (or X)
    j: int  # job
    p: int  # proposal
    i: int  # confirmed item


def _plan_and_approve(world: World, coord: str, guide: str, round_id: int) -> tuple[int, int, list[dict]]:
    api = world.api
    job = ok(api.as_(coord).post(f"/api/v1/rounds/{round_id}/jobs", json={}), 202)
    assert wait_job(api.as_(coord), job["id"])["status"] == "succeeded"
    proposal = ok(api.as_(coord).post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    ok(api.as_(coord).post(f"/api/v1/proposals/{proposal['id']}/submit"))
    ok(api.as_(guide).post(f"/api/v1/proposals/{proposal['id']}/review", json={"decision": "approve"}))
    items = ok(api.as_(coord).get(f"/api/v1/proposals/{proposal['id']}/items"))
    return job["id"], proposal["id"], items


@pytest.fixture(scope="module")
def ids(sqlite_backend: Backend) -> Iterator[dict[str, Ids]]:
    client, api = start(sqlite_backend)
    try:
        world = build_world(api)
        # Alliance 2: Y lends to X.
        y_body = report_body("B")
        admin = api.as_("root")
        ok(admin.post("/api/v1/users", json={"username": "clerk-y", "password": "clerk-y-pass", "role": "enterprise",
                                             "enterprise_id": world.other_firms["Y"]}), 201)
        api.login("clerk-y", "clerk-y-pass")
        ok(api.as_("clerk-y").put(f"/api/v1/rounds/{world.other_round}/reports/{world.other_firms['Y']}",
                                  json=y_body), 201)
        out = {}
        for name, coord, guide, rnd, alliance, firm, clerks in (
            ("own", "coord", "guide", world.round, world.alliance, world.firms["A"], ("clerk-a", "clerk-b")),
            ("other", "coord2", "guide2", world.other_round, world.other_alliance, world.other_firms["X"],
             ("clerk-x", "clerk-y")),
        ):
            job, proposal, items = _plan_and_approve(world, coord, guide, rnd)
            loan = next(i for i in items if i["kind"] == "loan")
            for clerk in clerks:
                ok(api.as_(clerk).post(f"/api/v1/items/{loan['id']}/respond", json={"answer": "confirm"}))
            ok(api.as_(coord).post(f"/api/v1/rounds/{rnd}/close"))  # reporting is over: reports answer 409
            out[name] = Ids(alliance, rnd, firm, job, proposal, loan["id"])
        out["missing"] = Ids(*(MISSING,) * 6)
        out["api"] = api  # type: ignore[assignment]
        yield out
    finally:
        client.__exit__(None, None, None)


def _s(**statuses: int) -> dict[str, int]:
    expected = {"root": 0, "coord": 0, "coord2": 0, "guide": 0, "guide2": 0, "clerk-a": 0, "clerk-c": 0,
                "clerk-x": 0}
    for key, value in statuses.items():
        expected[key.replace("_", "-")] = value
    assert all(expected.values()), f"incomplete row: {expected}"
    return expected


READ_ALL = dict(root=200, coord=200, coord2=404, guide=200, guide2=404, clerk_a=200, clerk_c=200, clerk_x=404)
PLANNERS = dict(root=200, coord=200, coord2=404, guide=200, guide2=404, clerk_a=403, clerk_c=403, clerk_x=403)

# (name, method, path, body, expected on alliance 1's resources)
MATRIX: list[tuple[str, str, str, Any, dict[str, int]]] = [
    ("alliance", "GET", "/api/v1/alliances/{a}", None, _s(**READ_ALL)),
    ("directory", "GET", "/api/v1/alliances/{a}/enterprises", None, _s(**READ_ALL)),
    ("guides", "GET", "/api/v1/alliances/{a}/guides", None, _s(**{**READ_ALL, "clerk_a": 403, "clerk_c": 403})),
    ("rounds", "GET", "/api/v1/alliances/{a}/rounds", None, _s(**READ_ALL)),
    ("open round", "POST", "/api/v1/alliances/{a}/rounds",
     {"name": "m", "start_date": "2026-12-07", "horizon_days": 2, "skills": ["forming"]},
     _s(root=403, coord=201, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("add firm", "POST", "/api/v1/alliances/{a}/enterprises",
     {"code": "Z9", "credit_code": "91350100M000100Y43", "name": "z", "lat": 25.5, "lon": 118.2},
     _s(root=201, coord=403, coord2=403, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("enterprise", "GET", "/api/v1/enterprises/{e}", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("edit enterprise", "PATCH", "/api/v1/enterprises/{e}", {"wage_per_day": 200},
     _s(root=200, coord=200, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("round", "GET", "/api/v1/rounds/{r}", None, _s(**READ_ALL)),
    ("close round", "POST", "/api/v1/rounds/{r}/close", None,
     _s(root=403, coord=409, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("report status", "GET", "/api/v1/rounds/{r}/reports", None, _s(**READ_ALL)),
    ("report", "GET", "/api/v1/rounds/{r}/reports/{e}", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("report versions", "GET", "/api/v1/rounds/{r}/reports/{e}/versions", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("report template", "GET", "/api/v1/rounds/{r}/reports/{e}/template", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("submit report", "PUT", "/api/v1/rounds/{r}/reports/{e}", {},
     _s(root=403, coord=409, coord2=404, guide=403, guide2=403, clerk_a=409, clerk_c=404, clerk_x=404)),
    ("scenario", "GET", "/api/v1/rounds/{r}/scenario", None, _s(**PLANNERS)),
    ("jobs", "GET", "/api/v1/rounds/{r}/jobs", None, _s(**PLANNERS)),
    ("request plan", "POST", "/api/v1/rounds/{r}/jobs", {"time_limit_s": 1},
     _s(root=403, coord=202, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("job", "GET", "/api/v1/jobs/{j}", None, _s(**PLANNERS)),
    ("plan", "GET", "/api/v1/jobs/{j}/plan", None, _s(**PLANNERS)),
    ("snapshot", "GET", "/api/v1/jobs/{j}/snapshot", None, _s(**PLANNERS)),
    ("export", "GET", "/api/v1/jobs/{j}/export", None, _s(**PLANNERS)),
    ("cancel", "POST", "/api/v1/jobs/{j}/cancel", None,
     _s(root=403, coord=409, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("make proposal", "POST", "/api/v1/jobs/{j}/proposals", None,
     _s(root=403, coord=409, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("proposals", "GET", "/api/v1/rounds/{r}/proposals", None, _s(**READ_ALL)),
    ("proposal", "GET", "/api/v1/proposals/{p}", None, _s(**READ_ALL)),
    ("items", "GET", "/api/v1/proposals/{p}/items", None, _s(**READ_ALL)),
    ("submit", "POST", "/api/v1/proposals/{p}/submit", None,
     _s(root=403, coord=409, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("review", "POST", "/api/v1/proposals/{p}/review", {"decision": "approve"},
     _s(root=403, coord=403, coord2=403, guide=409, guide2=404, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("replan", "POST", "/api/v1/proposals/{p}/replan", {"time_limit_s": 1},
     _s(root=403, coord=202, coord2=404, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("item", "GET", "/api/v1/items/{i}", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("respond", "POST", "/api/v1/items/{i}/respond", {"answer": "confirm"},
     _s(root=403, coord=403, coord2=403, guide=403, guide2=403, clerk_a=409, clerk_c=404, clerk_x=404)),
    ("agreement", "GET", "/api/v1/items/{i}/agreement", None, _s(**{**READ_ALL, "clerk_c": 404})),
    ("review queue", "GET", "/api/v1/reviews/queue", None,
     _s(root=200, coord=403, coord2=403, guide=200, guide2=200, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("review history", "GET", "/api/v1/reviews/history", None,
     _s(root=200, coord=403, coord2=403, guide=200, guide2=200, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("my items", "GET", "/api/v1/me/items", None,
     _s(root=403, coord=403, coord2=403, guide=403, guide2=403, clerk_a=200, clerk_c=200, clerk_x=200)),
    ("audit", "GET", "/api/v1/audit", None,
     _s(root=200, coord=403, coord2=403, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("users", "GET", "/api/v1/users", None,
     _s(root=200, coord=403, coord2=403, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
    ("solve", "POST", "/api/v1/solve", {"scenario": {}},
     _s(root=422, coord=422, coord2=422, guide=403, guide2=403, clerk_a=403, clerk_c=403, clerk_x=403)),
]


def _call(api: Any, role: str, method: str, path: str, body: Any, ids: Ids) -> int:
    url = path.format(a=ids.a, r=ids.r, e=ids.e, j=ids.j, p=ids.p, i=ids.i)
    kwargs = {"json": body} if body is not None else {}
    return int(api.as_(role).request(method, url, **kwargs).status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_matrix(ids: dict[str, Any], role: str, name: str, method: str, path: str, body: Any,
                expected: dict[str, int]) -> None:
    api = ids["api"]
    assert _call(api, role, method, path, body, ids["own"]) == expected[role]


# Accounts with no business in alliance 2 (the admin sees every alliance by design).
OUTSIDERS = ["coord", "guide", "clerk-a", "clerk-c"]
WITH_IDS = [m for m in MATRIX if "{" in m[2]]


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), WITH_IDS, ids=[m[0] for m in WITH_IDS])
def test_other_alliance_looks_like_nothing(ids: dict[str, Any], role: str, name: str, method: str, path: str,
                                           body: Any, expected: dict[str, int]) -> None:
    """Another alliance's ids and ids that do not exist get the same answer."""
    api = ids["api"]
    other = _call(api, role, method, path, body, ids["other"])
    missing = _call(api, role, method, path, body, ids["missing"])
    assert other == missing
    assert other in (403, 404)
    if other == 403:  # only where the role may never do it, whatever the id
        assert expected[role] == 403


def test_a_firm_lists_only_items_it_is_party_to(ids: dict[str, Any]) -> None:
    api = ids["api"]
    assert ids["own"].i in {i["id"] for i in ok(api.as_("clerk-a").get("/api/v1/me/items"))}
    assert ids["own"].i not in {i["id"] for i in ok(api.as_("clerk-c").get("/api/v1/me/items"))}


def test_a_guide_desk_shows_only_assigned_alliances(ids: dict[str, Any]) -> None:
    """The queue and history have no ids in their paths: what they list is where the alliances stay apart."""
    api = ids["api"]
    for guide, mine, theirs in (("guide", ids["own"], ids["other"]), ("guide2", ids["other"], ids["own"])):
        history = ok(api.as_(guide).get("/api/v1/reviews/history"))
        assert {h["proposal_id"] for h in history} == {mine.p}
        assert {h["alliance"]["id"] for h in history} == {mine.a} != {theirs.a}
    assert {h["proposal_id"] for h in ok(api.as_("root").get("/api/v1/reviews/history"))} == {ids["own"].p,
                                                                                              ids["other"].p}


def test_without_a_token_only_health_and_login() -> None:
    from fastapi.testclient import TestClient

    from api.server import create_app
    from tests.api.conftest import test_settings

    client = TestClient(create_app(test_settings("sqlite://")))
    paths = client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method in operations:
            url = re.sub(r"\{[^}]+\}", "1", path)
            status = client.request(method.upper(), url).status_code
            if path in ("/health", "/api/v1/auth/token"):
                continue
            assert status == 401, f"{method.upper()} {path} -> {status}"
