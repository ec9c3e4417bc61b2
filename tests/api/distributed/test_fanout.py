"""The neighbourhoods of a round shared between the job's process and a real ``alliance worker`` over Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
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


def _tasks(n_firms: int = 40, time_limit_s: float = 3.0) -> list[PartTask]:
    scenario = generate_alliance(n_firms, seed=3)
    milp, _ = build_model(scenario, build_candidates(scenario), None)
    block = max(split_blocks(milp), key=lambda b: b.size)
    sub = sub_milp(milp, block)
    zeros = [0.0] * sub.num_vars  # making nothing is a plan: every neighbourhood can only improve on it
    lat = [e.lat for e in scenario.enterprises]
    lon = [e.lon for e in scenario.enterprises]
    parts = geographic_parts(sub, lat, lon, 6)
    rows_of = rows_of_columns(sub)
    options = SolveOptions(time_limit_s=time_limit_s, threads=1)
    return [PartTask(with_others_fixed(sub, keep, zeros, rows_of), options, time_limit_s, [0.0] * len(keep))
            for keep in parts[:6]]


def _objective(task: PartTask, values: list[float]) -> float:
    return sum(c * v for c, v in zip(task.milp.obj, values, strict=True)) + task.milp.objective_offset


@dataclass
class Broker:
    settings: Settings
    env: dict[str, str]
    log: Path


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A queue of its own on the real Redis, emptied afterwards."""
    why = _redis_reachable(REDIS_URL)
    if why is not None:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({why}); set ALLIANCE_TEST_REDIS_URL")
    queue = f"alliance.test.{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "ALLIANCE_BROKER_URL": REDIS_URL, "ALLIANCE_BROKER_QUEUE": queue}
    yield Broker(Settings(broker_url=REDIS_URL, broker_queue=queue), env, tmp_path / "worker.log")
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)


@pytest.fixture
def other_worker(broker: Broker) -> Iterator[None]:
    """One ``alliance worker`` process group serving the broker's queue, killed afterwards."""
    worker = subprocess.Popen([ALLIANCE, "worker", "--concurrency", "1"], cwd=REPO, env=broker.env,
                              stdout=broker.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        app = make_celery(broker.settings)
        deadline = time.monotonic() + 30
        while not app.control.inspect(timeout=1.0).ping():
            assert time.monotonic() < deadline, broker.log.read_text()[-2000:]
        yield
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def _assert_improvements(tasks: list[PartTask], answers: dict[int, list[float] | None]) -> None:
    assert sorted(answers) == list(range(len(tasks))), sorted(answers)
    for i, values in answers.items():
        assert values is not None
        assert tasks[i].milp.is_feasible(values)
        assert _objective(tasks[i], values) > _objective(tasks[i], tasks[i].start)


def test_a_second_worker_takes_neighbourhoods(broker: Broker, other_worker: None) -> None:
    part_map = CeleryPartMap(make_celery(broker.settings), broker.settings, parallelism=2)
    tasks = _tasks()
    assert len(tasks) >= 4
    answers = dict(part_map(tasks, time.monotonic() + 90, threading.Event()))
    # Every neighbourhood answered, some by the other process, each answer a feasible improvement on its start.
    assert part_map.local + part_map.remote == len(tasks), (part_map.local, part_map.remote)
    assert part_map.remote >= 1 and part_map.local >= 1
    _assert_improvements(tasks, answers)


def test_a_busy_job_process_leaves_the_neighbourhoods_to_the_other_worker(broker: Broker,
                                                                          other_worker: None) -> None:
    # Its LP holds one core: solving neighbourhoods beside it and the other worker made three solves on two
    # cores, and the LP did not finish (BENCHMARKS.md, county figures).
    part_map = CeleryPartMap(make_celery(broker.settings), broker.settings, parallelism=2)
    tasks = _tasks(time_limit_s=2.0)
    busy = threading.Event()
    busy.set()
    answers = dict(part_map(tasks, time.monotonic() + 90, busy))
    assert (part_map.local, part_map.remote) == (0, len(tasks))
    _assert_improvements(tasks, answers)


def test_a_busy_job_process_still_solves_what_no_worker_takes(broker: Broker) -> None:
    # The workers counted are all running other jobs (here: none serves the queue): after STARVE_S the job's
    # process works through the round itself rather than leave it unsolved.
    part_map = CeleryPartMap(make_celery(broker.settings), broker.settings, parallelism=2)
    tasks = _tasks(time_limit_s=1.0)
    busy = threading.Event()
    busy.set()
    answers = dict(part_map(tasks, time.monotonic() + 60, busy))
    assert (part_map.local, part_map.remote) == (len(tasks), 0)
    _assert_improvements(tasks, answers)


def test_answers_come_as_they_are_solved(broker: Broker) -> None:
    # The search keeps each answer at once (a county round lasts minutes): the first comes before the last
    # neighbourhood is started.
    part_map = CeleryPartMap(make_celery(broker.settings), broker.settings, parallelism=1)
    tasks = _tasks(time_limit_s=1.0)
    stream = part_map(tasks, time.monotonic() + 60, threading.Event())
    first = next(stream)
    assert part_map.local == 1 and first[0] == 0
    rest = dict(stream)
    assert part_map.local == len(tasks)
    _assert_improvements(tasks, {first[0]: first[1], **rest})
