"""Planning jobs: progress (throttled), cancellation, restart recovery; and the stateless solve."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from alliance.plan import Plan, Status
from api.models import PlanningJob
from api.server import create_app
from solver import Progress
from tests.api.conftest import Api, Backend, build_world, ok, wait_job
from tests.factories import ScenarioBuilder


class ControlledSolve:
    """A stand-in for ``solver.solve`` that the test steers: it reports progress, then waits to be released or
    cancelled, the way the real solver stops on its ``cancel`` event."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.calls: list[dict[str, Any]] = []

    def __call__(self, scenario: Any, options: Any, *, replan: Any, on_progress: Any, cancel: Any) -> Plan:
        self.calls.append({"time_limit_s": options.time_limit_s, "replan": replan})
        for k in range(1, 6):
            on_progress(Progress(objective=100.0 * k, bound=1000.0, gap=(1000.0 - 100 * k) / 1000, elapsed_s=0.01 * k))
        self.started.set()
        while not (self.release.is_set() or cancel.is_set()):
            time.sleep(0.01)
        return Plan(status=Status.FEASIBLE, objective=0.0, bound=0.0, gap=0.0)


def _start(backend: Backend, solve: Any = None, **overrides: Any) -> tuple[TestClient, Api]:
    client = TestClient(create_app(backend.settings(**overrides), solve_fn=solve))
    client.__enter__()
    return client, Api(client)


@pytest.fixture
def fresh(tmp_path: Path) -> Backend:
    return Backend("sqlite", f"sqlite:///{tmp_path / 'jobs.db'}")


def test_progress_is_throttled_and_the_last_value_kept(fresh: Backend) -> None:
    solve = ControlledSolve()
    client, api = _start(fresh, solve, progress_interval_s=60.0)
    try:
        world = build_world(api)
        coord = api.as_("coord")
        job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 3}), 202)
        assert solve.started.wait(10)
        running = ok(coord.get(f"/api/v1/jobs/{job['id']}"))
        assert running["status"] == "running"
        # Five reports within the interval: only the first was written...
        assert running["progress"]["objective"] == 100.0 and running["progress"]["bound"] == 1000.0
        solve.release.set()
        done = wait_job(coord, job["id"])
        # ...and the last one at the end.
        assert done["status"] == "succeeded" and done["progress"]["objective"] == 500.0
        assert solve.calls == [{"time_limit_s": 3.0, "replan": None}]
    finally:
        client.__exit__(None, None, None)


def test_cancel_running_and_queued_jobs(fresh: Backend) -> None:
    solve = ControlledSolve()
    client, api = _start(fresh, solve, job_workers=1)
    try:
        world = build_world(api)
        coord = api.as_("coord")
        first = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
        assert solve.started.wait(10)
        second = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
        assert ok(coord.get(f"/api/v1/jobs/{second['id']}"))["status"] == "queued"
        assert ok(coord.post(f"/api/v1/jobs/{second['id']}/cancel"))["status"] == "cancelled"
        cancelled = ok(coord.post(f"/api/v1/jobs/{first['id']}/cancel"))
        assert cancelled["status"] == "cancelled" and cancelled["finished_at"]
        runner = client.app.state.runner  # type: ignore[attr-defined]
        runner.wait(first["id"], timeout=10)
        runner.wait(second["id"], timeout=10)
        after = ok(coord.get(f"/api/v1/jobs/{first['id']}"))
        assert after["status"] == "cancelled" and "取消" in after["error"]
        assert ok(coord.get(f"/api/v1/jobs/{second['id']}"))["attempts"] == 0
        assert len(solve.calls) == 1  # the queued job never reached the solver
        assert coord.post(f"/api/v1/jobs/{first['id']}/cancel").status_code == 409
        # No proposal from a cancelled job.
        assert coord.post(f"/api/v1/jobs/{first['id']}/proposals").status_code == 409
        # Only the coordinator cancels.
        assert api.as_("guide").post(f"/api/v1/jobs/{first['id']}/cancel").status_code == 403
    finally:
        client.__exit__(None, None, None)


def test_shutdown_requeues_and_restart_resumes(fresh: Backend) -> None:
    solve = ControlledSolve()
    client, api = _start(fresh, solve)
    world = build_world(api)
    job = ok(api.as_("coord").post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
    assert solve.started.wait(10)
    client.__exit__(None, None, None)  # the server stops while the job runs

    second_client, api2 = _start(fresh, None, seed_demo=False)  # the real solver this time
    try:
        api2.login("coord", "coord-pass")
        done = wait_job(api2.as_("coord"), job["id"])
        assert done["status"] == "succeeded" and done["attempts"] == 2
        assert done["plan_status"] == "OPTIMAL"
        audit = ok(_admin(api2).get("/api/v1/audit", params={"entity": "job", "entity_id": str(job["id"])}))
        actions = [e["action"] for e in reversed(audit)]
        assert actions[:4] == ["job.create", "job.start", "job.requeue", "job.resume"]
    finally:
        second_client.__exit__(None, None, None)


def _admin(api: Api) -> Any:
    api.login("root", "root-password-1")
    return api.as_("root")


def _crash(client: TestClient, job_id: int) -> None:
    """What a killed process leaves behind: the row still says running."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        session.execute(update(PlanningJob).where(PlanningJob.id == job_id).values(status="running"))
        session.commit()


@pytest.mark.parametrize("resume", [True, False])
def test_jobs_left_running_by_a_crash(fresh: Backend, resume: bool) -> None:
    client, api = _start(fresh)
    world = build_world(api)
    coord = api.as_("coord")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
    wait_job(coord, job["id"])
    client.__exit__(None, None, None)
    _crash(client, job["id"])

    client2, api2 = _start(fresh, resume_interrupted_jobs=resume)
    try:
        api2.login("coord", "coord-pass")
        done = wait_job(api2.as_("coord"), job["id"])
        if resume:
            assert done["status"] == "succeeded" and done["attempts"] == 2
        else:
            assert done["status"] == "failed" and "重启" in done["error"] and "restart" in done["error"]
    finally:
        client2.__exit__(None, None, None)


def test_a_failing_solver_leaves_a_reason(fresh: Backend) -> None:
    def broken(*_: Any, **__: Any) -> Plan:
        raise RuntimeError("model too large")

    client, api = _start(fresh, broken)
    try:
        world = build_world(api)
        coord = api.as_("coord")
        job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={}), 202)
        done = wait_job(coord, job["id"])
        assert done["status"] == "failed" and "model too large" in done["error"]
    finally:
        client.__exit__(None, None, None)


def test_job_needs_reports(fresh: Backend) -> None:
    client, api = _start(fresh)
    try:
        world = build_world(api, reports=False)
        r = api.as_("coord").post(f"/api/v1/rounds/{world.round}/jobs", json={})
        assert r.status_code == 409 and "尚无企业填报" in r.json()["detail"]
        assert api.as_("coord").get(f"/api/v1/rounds/{world.round}/scenario").status_code == 409
    finally:
        client.__exit__(None, None, None)


# ----- the stateless solve --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solver_api(sqlite_backend: Backend) -> Iterator[Api]:
    client = TestClient(create_app(sqlite_backend.settings(solver_max_time_limit_s=2.0)))
    client.__enter__()
    api = Api(client)
    api.login("root", "root-password-1")
    try:
        yield api
    finally:
        client.__exit__(None, None, None)


def test_stateless_solve(solver_api: Api) -> None:
    scenario = (
        ScenarioBuilder(horizon_days=2, subcontract_radius_km=15)
        .firm("A", idle=1)
        .firm("B", north_km=5, idle=2)
        .order("o1", owner="A", quantity=24, value=10, labor_minutes=60, due_day=1)
        .build()
    )
    body = {"scenario": scenario.model_dump(mode="json", by_alias=True), "time_limit_s": 600}
    result = ok(solver_api.as_("root").post("/api/v1/solve", json=body))
    assert result["time_limit_s"] == 2.0  # capped by the settings
    assert result["violations"] == []
    plan = result["plan"]
    assert plan["status"] == "OPTIMAL" and plan["objective"] == pytest.approx(240.0)
    assert sum(r["quantity"] for r in plan["production"]) == 24


def test_stateless_solve_rejects_bad_scenarios_with_paths(solver_api: Api) -> None:
    scenario = ScenarioBuilder(horizon_days=2).firm("A", idle=1).order("o1", owner="A", quantity=2).build()
    data = scenario.model_dump(mode="json", by_alias=True)
    data["orders"][0]["due_day"] = 5
    r = solver_api.as_("root").post("/api/v1/solve", json={"scenario": data})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["loc"] == ["body", "scenario", "orders", 0, "due_day"] and error["input"] == 5
    assert solver_api.client.post("/api/v1/solve", json={"scenario": data}).status_code == 401
