"""The neighbourhoods of a round shared between the job's process and a real ``alliance worker`` over Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from alliance.generator import generate_alliance
from api.distributed.celery_app import make_celery
from api.distributed.fanout import CeleryPartMap
from api.settings import Settings
from solver import SolveOptions
from solver.blocks import geographic_parts, rows_of_columns, split_blocks, sub_milp, with_others_fixed
from solver.candidates import build_candidates
from solver.model import build_model
from solver.run import PartTask
from tests.api.distributed.conftest import ALLIANCE, REDIS_URL, REPO, _redis_reachable

pytestmark = pytest.mark.distributed


def _tasks(n_firms: int = 40) -> list[PartTask]:
    scenario = generate_alliance(n_firms, seed=3)
    milp, _ = build_model(scenario, build_candidates(scenario), None)
    block = max(split_blocks(milp), key=lambda b: b.size)
    sub = sub_milp(milp, block)
    zeros = [0.0] * sub.num_vars  # making nothing is a plan: every neighbourhood can only improve on it
    lat = [e.lat for e in scenario.enterprises]
    lon = [e.lon for e in scenario.enterprises]
    parts = geographic_parts(sub, lat, lon, 6)
    rows_of = rows_of_columns(sub)
    options = SolveOptions(time_limit_s=3, threads=1)
    return [PartTask(with_others_fixed(sub, keep, zeros, rows_of), options, 3.0, [0.0] * len(keep))
            for keep in parts[:6]]


def _objective(task: PartTask, values: list[float]) -> float:
    return sum(c * v for c, v in zip(task.milp.obj, values, strict=True)) + task.milp.objective_offset


def test_a_second_worker_takes_neighbourhoods(tmp_path: Path) -> None:
    why = _redis_reachable(REDIS_URL)
    if why is not None:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({why}); set ALLIANCE_TEST_REDIS_URL")
    queue = f"alliance.test.{uuid.uuid4().hex[:10]}"
    settings = Settings(broker_url=REDIS_URL, broker_queue=queue)
    env = {**os.environ, "ALLIANCE_BROKER_URL": REDIS_URL, "ALLIANCE_BROKER_QUEUE": queue}
    log = (tmp_path / "worker.log").open("ab")
    worker = subprocess.Popen([ALLIANCE, "worker", "--concurrency", "1"], cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    app = make_celery(settings)
    try:
        tasks = _tasks()
        assert len(tasks) >= 4
        deadline = time.monotonic() + 30
        while not app.control.inspect(timeout=1.0).ping():
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-2000:]
        part_map = CeleryPartMap(app, settings, parallelism=2)
        results = part_map(tasks, time.monotonic() + 90)
        # Every neighbourhood answered, some by the other process, each answer a feasible improvement on its start.
        assert part_map.local + part_map.remote == len(tasks), (part_map.local, part_map.remote)
        assert part_map.remote >= 1 and part_map.local >= 1
        for task, values in zip(tasks, results, strict=True):
            assert values is not None
            assert task.milp.is_feasible(values)
            assert _objective(task, values) > _objective(task, task.start)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)
