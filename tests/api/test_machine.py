"""Who may spend the machine: the stateless solve for planners only and in its own pool, job caps, attempt limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.models import PlanningJob
from tests.api.conftest import Backend, build_world, ok, wait_job
from tests.api.test_jobs import ControlledSolve, _start
from tests.factories import ScenarioBuilder


@pytest.fixture
def fresh(tmp_path: Path) -> Backend:
    return Backend("sqlite", f"sqlite:///{tmp_path / 'machine.db'}")


def _scenario() -> dict[str, Any]:
    s = (ScenarioBuilder(horizon_days=2).firm("A", idle=1).firm("B", north_km=5, idle=2)
         .order("o1", owner="A", quantity=24, value=10, labor_minutes=60, due_day=1).build())
    return s.model_dump(mode="json", by_alias=True)


def test_stateless_solve_is_for_planners_and_bounded(fresh: Backend) -> None:
    client, api = _start(fresh, solve_workers=1, solve_queue=0)
    try:
        world = build_world(api, reports=False)
        body = {"scenario": _scenario(), "time_limit_s": 1}
        r = api.as_("clerk-a").post("/api/v1/solve", json=body)
        assert r.status_code == 403
        assert api.as_("guide").post("/api/v1/solve", json=body).status_code == 403
        # The pool full (one solve process, no queue, one solve counted as running): 503 with Retry-After at once.
        pool = client.app.state.solve_pool  # type: ignore[attr-defined]
        pool._pending = pool._capacity
        try:
            r = api.as_("coord").post("/api/v1/solve", json=body)
            assert r.status_code == 503 and r.headers["Retry-After"] and "求解繁忙" in r.json()["detail"]
        finally:
            pool._pending = 0
        # And a solve runs in the solve process, its answer as before.
        assert ok(api.as_("coord").post("/api/v1/solve", json=body))["plan"]["status"] == "OPTIMAL"
        assert world.round
    finally:
        client.__exit__(None, None, None)


def test_waiting_jobs_are_capped_per_round_and_per_user(fresh: Backend) -> None:
    solve = ControlledSolve()
    client, api = _start(fresh, solve, max_active_jobs_per_round=2, max_active_jobs_per_user=5)
    try:
        world = build_world(api)
        coord = api.as_("coord")
        jobs = [ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202) for _ in range(2)]
        r = coord.post(f"/api/v1/rounds/{world.round}/jobs", json={})
        assert r.status_code == 429 and "上限 2" in r.json()["detail"] and r.headers["Retry-After"]
        solve.release.set()
        for job in jobs:
            wait_job(coord, job["id"])
        ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)  # room again once they are done
    finally:
        solve.release.set()
        client.__exit__(None, None, None)


def test_a_job_that_keeps_killing_its_process_is_failed_with_the_reason(fresh: Backend) -> None:
    client, api = _start(fresh, job_max_attempts=2)
    world = build_world(api)
    coord = api.as_("coord")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
    wait_job(coord, job["id"])
    client.__exit__(None, None, None)
    # As a kill -9 mid-solve leaves it: still running, started twice already.
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        session.execute(update(PlanningJob).where(PlanningJob.id == job["id"]).values(status="running", attempts=2))
        session.commit()
    client2: TestClient
    client2, api2 = _start(fresh, job_max_attempts=2)
    try:
        api2.login("coord", "coord-pass")
        done = ok(api2.as_("coord").get(f"/api/v1/jobs/{job['id']}"))
        assert done["status"] == "failed" and "2 次" in done["error"] and "not retried" in done["error"]
    finally:
        client2.__exit__(None, None, None)
