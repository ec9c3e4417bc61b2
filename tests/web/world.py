"""A live service for the browser tests: uvicorn in a thread on a free localhost port, a temporary SQLite file,
and a small alliance built through the JSON API as the admin would (no demo seed).

The alliance is made so that the first plan has exactly two moves that concern firm A:

* A's glazing order (720 units, 4 min each) must go to B: A has no idle glazers, B has 2 a day and they do
  240 units a day on days 0-2 (day 3 is the due day and the goods need a day to travel back);
* A's firing order is not sub-contractable and A has no idle firers, so A borrows firers: from C (0.8 km) in
  the first plan, and from D (about 2.2 km) once A declines C and the coordinator re-plans.

A reports its firing order and its kiln hours in the browser (the clerk's test), so the first plan needs it.
E never reports (the round board shows a firm that has not).
"""

from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api.credit_code import make, organisation_code
from api.server import create_app
from api.settings import Settings

ADMIN = ("root", "root-password-1")
CENTRE = (25.4900, 118.2400)  # Dehua county seat, roughly
KM_PER_DEG_LAT = 111.32


def password(username: str) -> str:
    return f"{username}-pass-1"


def latlon(north_km: float, east_km: float) -> tuple[float, float]:
    lat = CENTRE[0] + north_km / KM_PER_DEG_LAT
    lon = CENTRE[1] + east_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTRE[0])))
    return round(lat, 6), round(lon, 6)


# code: (name, north km, east km, processes)
FIRMS: dict[str, tuple[str, float, float, list[str]]] = {
    "A": ("德化县瑞和陶瓷有限公司", 0.0, 0.0, ["glazing", "firing"]),
    "B": ("德化县鸿泰瓷业有限公司", 2.0, 0.0, ["glazing"]),
    "C": ("德化县嘉祺工艺品有限公司", 0.0, 0.8, ["firing"]),
    "D": ("德化县锦昌陶瓷有限公司", -1.8, -1.25, ["firing"]),
    "E": ("德化县祥润陶瓷制品有限公司", 3.0, 3.0, ["packing"]),
}

HORIZON = 4
START = "2026-12-07"
ROUND = {
    "name": "十二月第一周 / first week of December",
    "start_date": START,
    "horizon_days": HORIZON,
    "skills": ["glazing", "firing", "packing"],
    "machines": ["kiln"],
    "policy": {"lend_radius_km": 5, "subcontract_radius_km": 10, "commute_cost_per_km": 1.5,
               "transport_cost_per_unit_km": 0.005, "link_cost": 50, "transport_days": 1},
}

GLAZING_ORDER: dict[str, Any] = {
    "id": "g1", "process": "glazing", "skill": "glazing", "quantity": 720, "labor_minutes_per_unit": 4,
    "due_day": 3, "value_per_unit": 8,
}
# What the clerk types in the browser (the firing order), field by field.
FIRING_ORDER: dict[str, Any] = {
    "id": "f1", "process": "firing", "skill": "firing", "quantity": 240, "labor_minutes_per_unit": 8,
    "machine": "kiln", "machine_hours_per_unit": 0.02, "due_day": 3, "value_per_unit": 9, "subcontractable": False,
}
KILN_HOURS = 10

REPORTS: dict[str, dict[str, Any]] = {
    "A": {"orders": [GLAZING_ORDER]},
    "B": {"idle_workers": {"glazing": 2}, "lendable_workers": {"glazing": 0}},
    "C": {"idle_workers": {"firing": 2}, "lendable_workers": {"firing": 2}, "spare_machine_hours": {"kiln": 6}},
    "D": {"idle_workers": {"firing": 2}, "lendable_workers": {"firing": 2}},
}


@dataclass
class World:
    base_url: str
    alliance: int = 0
    round: int = 0
    firms: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, username: str) -> httpx.Client:
        """An API client signed in as ``username``."""
        if username not in self.tokens:
            secret = ADMIN[1] if username == ADMIN[0] else password(username)
            r = httpx.post(f"{self.base_url}/api/v1/auth/token", data={"username": username, "password": secret})
            r.raise_for_status()
            self.tokens[username] = r.json()["access_token"]
        return httpx.Client(base_url=f"{self.base_url}/api/v1", timeout=30,
                            headers={"Authorization": f"Bearer {self.tokens[username]}"})


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: " \
                                           f"{response.status_code} {response.text}"
    return response.json() if response.content else None


def build_world(base_url: str) -> World:
    world = World(base_url)
    with world.client(ADMIN[0]) as admin:
        alliance = {"code": "dehua-web", "name": "德化陶瓷产业链党建联盟（测试）"}
        world.alliance = ok(admin.post("/alliances", json=alliance), 201)["id"]
        for i, (code, (name, north, east, processes)) in enumerate(FIRMS.items(), start=1):
            lat, lon = latlon(north, east)
            body = {"code": code, "credit_code": make("91350526" + organisation_code(f"WB{i:06d}")), "name": name,
                    "lat": lat, "lon": lon, "processes": processes, "wage_per_day": 200, "quality_level": 1}
            world.firms[code] = ok(admin.post(f"/alliances/{world.alliance}/enterprises", json=body), 201)["id"]

        def user(username: str, role: str, display: str, **links: Any) -> int:
            body = {"username": username, "password": password(username), "role": role, "display_name": display,
                    **links}
            result: int = ok(admin.post("/users", json=body), 201)["id"]
            return result

        user("coord", "coordinator", "联盟协调员 / coordinator", alliance_id=world.alliance)
        guide = user("guide", "guide", "党建指导员 / guide")
        ok(admin.put(f"/alliances/{world.alliance}/guides/{guide}"), 204)
        for code in FIRMS:
            user(f"clerk-{code.lower()}", "enterprise", f"{FIRMS[code][0]} 填报员", enterprise_id=world.firms[code])
    with world.client("coord") as coord:
        world.round = ok(coord.post(f"/alliances/{world.alliance}/rounds", json=ROUND), 201)["id"]
    for code, report in REPORTS.items():
        with world.client(f"clerk-{code.lower()}") as clerk:
            ok(clerk.put(f"/rounds/{world.round}/reports/{world.firms[code]}", json=report), 201)
    return world


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def settings_for(database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        database_url=f"sqlite:///{database}", secret_key="web-test-secret-key-0123456789abcdef", seed_demo=False,
        admin_username=ADMIN[0], admin_password=ADMIN[1],
        # Short solves: the scenario is tiny (it solves in well under a second); the cap keeps a slip cheap.
        solver_time_limit_s=5.0, solver_max_time_limit_s=10.0, progress_interval_s=0.0, job_workers=1,
    )
    values.update(overrides)
    return Settings(**values)


@contextmanager
def live_server(database: Path, **overrides: Any) -> Iterator[str]:
    """The whole service (API and pages) on 127.0.0.1:<free port>; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings_for(database, **overrides)), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
