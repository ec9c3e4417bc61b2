"""Fixtures of the API tests: an app on a fresh database (SQLite file per module; PostgreSQL on request).

``ALLIANCE_TEST_POSTGRES_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) makes the
``backend`` fixture also run against PostgreSQL, in a schema created for the run and dropped after it.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.credit_code import make, organisation_code
from api.server import create_app
from api.settings import Settings
from tests.factories import latlon_at

POSTGRES_ENV = "ALLIANCE_TEST_POSTGRES_URL"


ADMIN = ("root", "root-password-1")


def credit(index: int) -> str:
    return make("91350526" + organisation_code(f"TE{index:06d}"))


def test_settings(database_url: str, schema: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        database_url=database_url, database_schema=schema, secret_key="test-secret-key-0123456789abcdef",
        seed_demo=False, admin_username=ADMIN[0], admin_password=ADMIN[1], solver_time_limit_s=5.0,
        solver_max_time_limit_s=10.0, progress_interval_s=0.0, job_workers=1,
    )
    values.update(overrides)
    return Settings(**values)


@dataclass
class Backend:
    name: str
    url: str
    schema: str | None = None

    def settings(self, **overrides: Any) -> Settings:
        return test_settings(self.url, self.schema, **overrides)


@pytest.fixture(scope="module")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    path: Path = tmp_path_factory.mktemp("db") / "alliance.db"
    return Backend("sqlite", f"sqlite:///{path}")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """The same tests on SQLite and, when ALLIANCE_TEST_POSTGRES_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "alliance.db"
        yield Backend("sqlite", f"sqlite:///{path}")
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV}=postgresql+psycopg://user@host:port/db")
    schema = f"alliance_test_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(url)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield Backend("postgres", url, schema)
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


class Api:
    """A TestClient with logins: ``api.as_("coord").get(...)``."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def login(self, username: str, password: str) -> str:
        r = self.client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert r.status_code == 200, r.text
        self.tokens[username] = r.json()["access_token"]
        return self.tokens[username]

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def as_(self, username: str) -> _As:
        return _As(self, username)


class _As:
    def __init__(self, api: Api, username: str) -> None:
        self.api, self.username = api, username

    def request(self, method: str, url: str, **kw: Any) -> Any:
        headers = {**kw.pop("headers", {}), **self.api.headers(self.username)}
        return self.api.client.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.request("PUT", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.request("PATCH", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.request("DELETE", url, **kw)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code} {response.text}"
    return response.json() if response.content else None


def wait_job(api_as: _As, job_id: int, until: tuple[str, ...] = ("succeeded", "failed", "cancelled"),
             timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = ok(api_as.get(f"/api/v1/jobs/{job_id}"))
        if job["status"] in until:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.05)


# ----- a small alliance: A has a backlog, B can only lend, C and D (farther, dearer) only take sub-contract

HORIZON = 3
FIRMS = {
    # code: (north_km, processes, idle forming per day, lendable)
    "A": (0.0, ["forming"], 1, 0),
    "B": (2.0, [], 1, 1),
    "C": (15.0, ["forming"], [1, 1, 0], [0, 0, 0]),
    "D": (-25.0, ["forming"], [1, 1, 0], [0, 0, 0]),
}


def firm_body(code: str, index: int) -> dict[str, Any]:
    north, processes, _, _ = FIRMS[code]
    lat, lon = latlon_at(north)
    return {"code": code, "credit_code": credit(index), "name": f"瓷厂 {code}", "lat": lat, "lon": lon,
            "processes": processes, "wage_per_day": 200.0, "quality_level": 1}


def report_body(code: str) -> dict[str, Any]:
    _, _, idle, lendable = FIRMS[code]
    body: dict[str, Any] = {"idle_workers": {"forming": idle}, "lendable_workers": {"forming": lendable}}
    if code == "A":
        # 60 units of 60 minutes: A makes 24 itself, a lent worker from B 24 more, the rest needs C or D.
        body["orders"] = [{"id": "o1", "process": "forming", "skill": "forming", "quantity": 60,
                           "labor_minutes_per_unit": 60, "due_day": 2, "value_per_unit": 100}]
    return body


ROUND_BODY = {
    "name": "测试轮次 / test round", "start_date": "2026-12-07", "horizon_days": HORIZON, "skills": ["forming"],
    "machines": [], "policy": {"lend_radius_km": 10, "subcontract_radius_km": 30, "commute_cost_per_km": 1,
                               "transport_cost_per_unit_km": 1.0, "link_cost": 0, "transport_days": 1},
}


@dataclass
class World:
    api: Api
    alliance: int
    other_alliance: int
    firms: dict[str, int] = field(default_factory=dict)
    other_firms: dict[str, int] = field(default_factory=dict)
    round: int = 0
    other_round: int = 0
    users: dict[str, int] = field(default_factory=dict)


def build_world(api: Api, reports: bool = True) -> World:
    """Alliance 1 (firms A-D, coordinator 'coord', guide 'guide', clerks 'clerk-a'..) and alliance 2 (firms X, Y,
    coordinator 'coord2', clerk 'clerk-x', guide 'guide2'), each with an open round and, optionally, reports."""
    api.login(*ADMIN)
    admin = api.as_(ADMIN[0])
    a1 = ok(admin.post("/api/v1/alliances", json={"code": "dehua-test", "name": "测试联盟一"}), 201)["id"]
    a2 = ok(admin.post("/api/v1/alliances", json={"code": "other-test", "name": "测试联盟二"}), 201)["id"]
    world = World(api, a1, a2)
    for i, code in enumerate(FIRMS, start=1):
        world.firms[code] = ok(admin.post(f"/api/v1/alliances/{a1}/enterprises", json=firm_body(code, i)), 201)["id"]
    for i, code in enumerate(("X", "Y"), start=11):
        body = {**firm_body("A" if code == "X" else "B", i), "code": code, "name": f"他厂 {code}"}
        world.other_firms[code] = ok(admin.post(f"/api/v1/alliances/{a2}/enterprises", json=body), 201)["id"]

    def user(username: str, role: str, **links: Any) -> None:
        body = {"username": username, "password": f"{username}-pass", "role": role, **links}
        world.users[username] = ok(admin.post("/api/v1/users", json=body), 201)["id"]
        api.login(username, f"{username}-pass")

    user("coord", "coordinator", alliance_id=a1)
    user("coord2", "coordinator", alliance_id=a2)
    user("guide", "guide")
    user("guide2", "guide")
    ok(admin.put(f"/api/v1/alliances/{a1}/guides/{world.users['guide']}"), 204)
    ok(admin.put(f"/api/v1/alliances/{a2}/guides/{world.users['guide2']}"), 204)
    for code in FIRMS:
        user(f"clerk-{code.lower()}", "enterprise", enterprise_id=world.firms[code])
    user("clerk-x", "enterprise", enterprise_id=world.other_firms["X"])

    world.round = ok(api.as_("coord").post(f"/api/v1/alliances/{a1}/rounds", json=ROUND_BODY), 201)["id"]
    world.other_round = ok(api.as_("coord2").post(f"/api/v1/alliances/{a2}/rounds", json=ROUND_BODY), 201)["id"]
    if reports:
        for code in FIRMS:
            clerk = api.as_(f"clerk-{code.lower()}")
            ok(clerk.put(f"/api/v1/rounds/{world.round}/reports/{world.firms[code]}", json=report_body(code)), 201)
        ok(api.as_("clerk-x").put(f"/api/v1/rounds/{world.other_round}/reports/{world.other_firms['X']}",
                                  json=report_body("A")), 201)
    return world


def start(backend: Backend, **overrides: Any) -> tuple[TestClient, Api]:
    client = TestClient(create_app(backend.settings(**overrides)))
    client.__enter__()
    return client, Api(client)
