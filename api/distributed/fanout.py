"""A county solve spread over the Celery workers: the neighbourhoods of a large block as tasks.

A county alliance is one large block (generate_alliance(800): 360,558 of its 365,401 columns), so the unit of
work that can go to another process is the neighbourhood of the large-block search (solver/run.py): about 30
firms' MILP with the rest of the plan held fixed; those of one round share no row.  The job's process publishes
a round's neighbourhoods as ``alliance.solve_part`` tasks on the parts queue and then works through the same
list itself; each neighbourhood is taken by whoever claims it first (``SET NX`` in Redis), so the job never
waits on a queue that no free worker serves (one worker alone does all of them, as before) and each extra
worker process takes neighbourhoods off it.  Answers come back through the Redis result backend; a
neighbourhood whose worker died is simply not improved this round.

Hand-written claim rather than a chord: a chord's callback would need every part to finish and a free worker,
while the job process must keep the plan, the lease and the deadline.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from array import array
from collections.abc import Iterator
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from api.settings import Settings

log = logging.getLogger("api.jobs")

CLAIM_TTL_S = 3600
# An answer may arrive this long after the round's deadline (its transfer, the result backend) and still count.
GRACE_S = 2.0
# How often the job's process looks for answers while the other workers have its round.
POLL_S = 0.2
# With its own core busy, the job's process solves a round's neighbourhoods itself only if no other worker has
# claimed one this long after they were published (the others are all running other jobs).
STARVE_S = 3.0


def _milp_to_json(m: Any) -> dict[str, Any]:
    # Shallow: ``dataclasses.asdict`` deep-copies every field first, seconds for a neighbourhood.  The matrix
    # buffers (array.array) go as lists, which JSON knows.
    return {f.name: (value.tolist() if isinstance(value, array) else value)
            for f in dataclasses.fields(m) for value in [getattr(m, f.name)]}


def _milp_from_json(data: dict[str, Any]) -> Any:
    from solver.milp import Milp

    data = dict(data)
    data["var_firms"] = [tuple(f) for f in data["var_firms"]]
    data["row_cols"] = array("i", data["row_cols"])
    data["row_coefs"] = array("d", data["row_coefs"])
    data["row_start"] = array("q", data["row_start"])
    return Milp(**data)


def _options_to_json(options: Any) -> dict[str, Any]:
    return {f.name: getattr(options, f.name) for f in dataclasses.fields(options) if f.name != "part_map"}


def _redis(settings: Settings) -> Any:
    import redis

    return redis.Redis.from_url(settings.broker_url or "")


def _claim_key(group: str, index: int) -> str:
    return f"alliance:part:{group}:{index}"


def register_part_task(app: Celery, settings: Settings) -> None:
    from api.distributed.celery_app import SOLVE_PART

    @app.task(name=SOLVE_PART, ignore_result=False, acks_late=True, reject_on_worker_lost=True)
    def solve_part(group: str, index: int, payload: dict[str, Any], wall_deadline: float) -> dict[str, Any]:
        left = wall_deadline - time.time()
        if left < 0.2 or not _redis(settings).set(_claim_key(group, index), "remote", nx=True, ex=CLAIM_TTL_S):
            return {"taken": False}  # the job's own process (or another worker) has it, or its round is over
        from solver import SolveOptions
        from solver.run import PartTask
        from solver.run import solve_part as run_part

        task = PartTask(_milp_from_json(payload["milp"]), SolveOptions(**payload["options"]),
                        min(float(payload["time_limit_s"]), left), list(payload["start"]))
        return {"taken": True, "values": run_part(task)}


class CeleryPartMap:
    """The solver's ``PartMap`` over Celery: publish the round, work through it here too, gather the answers."""

    def __init__(self, app: Celery, settings: Settings, parallelism: int) -> None:
        self.app = app
        self.settings = settings
        self.parallelism = parallelism
        self.redis = _redis(settings)
        self.local = 0
        self.remote = 0

    def __call__(self, tasks: list[Any], deadline: float,
                 busy: threading.Event) -> Iterator[tuple[int, list[float] | None]]:
        from api.distributed.celery_app import SOLVE_PART, parts_queue

        group = uuid.uuid4().hex
        wall_deadline = time.time() + (deadline - time.monotonic())
        pending: dict[int, Any] = {}
        published = time.monotonic()
        if self.parallelism > 1:
            for i, task in enumerate(tasks):
                payload = {"milp": _milp_to_json(task.milp), "options": _options_to_json(task.options),
                           "time_limit_s": task.time_limit_s, "start": task.start}
                pending[i] = self.app.send_task(SOLVE_PART, args=[group, i, payload, wall_deadline],
                                                queue=parts_queue(self.settings))
            log.info("round %s: %d neighbourhoods published in %.2f s", group, len(tasks),
                     time.monotonic() - published)
        try:
            yield from self._gather(group, tasks, deadline, pending, busy, published)
        finally:
            if tasks:
                self.redis.delete(*[_claim_key(group, i) for i in range(len(tasks))])

    def _gather(self, group: str, tasks: list[Any], deadline: float, pending: dict[int, Any],
                busy: threading.Event, published: float) -> Iterator[tuple[int, list[float] | None]]:
        from solver.run import solve_part as run_part

        unclaimed = list(range(len(tasks)))
        while unclaimed or pending:
            yield from self._answers(group, pending, ready_only=True)
            left = deadline - time.monotonic()
            if left < 0.2:
                break
            if unclaimed and self._may_solve_here(group, len(tasks), busy, published):
                i = unclaimed.pop(0)
                if not self.redis.set(_claim_key(group, i), "job", nx=True, ex=CLAIM_TTL_S):
                    continue  # a worker took it
                pending.pop(i, None)
                values = run_part(dataclasses.replace(tasks[i], time_limit_s=min(tasks[i].time_limit_s, left)))
                self.local += 1
                yield i, values
            elif pending:
                time.sleep(POLL_S)
                # Claimed elsewhere (or about to be): nothing left for this process to take.
                claimed = self._claimed(group, unclaimed)
                unclaimed = [i for i in unclaimed if i in pending and i not in claimed]
            else:
                break
        for i in list(pending):
            # Not started anywhere by now (every worker busy): taken off the queue, so no worker solves it late.
            if self.redis.set(_claim_key(group, i), "job", nx=True, ex=CLAIM_TTL_S):
                pending.pop(i).forget()
        yield from self._answers(group, pending, ready_only=False, deadline=deadline)

    def _may_solve_here(self, group: str, count: int, busy: threading.Event, published: float) -> bool:
        # Alone, or with this process's cores free: always.  With the LP on one core here, only when no other
        # worker has claimed a neighbourhood of the round within STARVE_S (they are all busy with other jobs).
        if self.parallelism <= 1 or not busy.is_set():
            return True
        if time.monotonic() - published < STARVE_S:
            return False
        return not any(v == b"remote" for v in self.redis.mget([_claim_key(group, i) for i in range(count)]))

    def _claimed(self, group: str, indices: list[int]) -> set[int]:
        if not indices:
            return set()
        values = self.redis.mget([_claim_key(group, i) for i in indices])
        return {i for i, v in zip(indices, values, strict=True) if v is not None}

    def _answers(self, group: str, pending: dict[int, Any], *, ready_only: bool,
                 deadline: float = 0.0) -> Iterator[tuple[int, list[float] | None]]:
        for i in list(pending):
            handle = pending[i]
            if ready_only and not handle.ready():
                continue
            del pending[i]
            try:
                answer = handle.get(timeout=max(0.1, deadline - time.monotonic() + GRACE_S),
                                    disable_sync_subtasks=False)
            except CeleryTimeout:
                log.warning("neighbourhood %s of round %s: no answer in time", i, group)
                answer = None
            except Exception:  # a worker's failure costs this neighbourhood's improvement, never the job
                log.exception("neighbourhood %s of round %s failed", i, group)
                answer = None
            finally:
                handle.forget()
            if answer and answer.get("taken"):
                values = answer.get("values")
                self.remote += 1
                yield i, None if values is None else [float(v) for v in values]


def worker_processes(app: Celery, settings: Settings) -> int:
    """How many worker processes serve the parts queue now (the job's own included); 1 when none answer."""
    from api.distributed.celery_app import parts_queue

    try:
        inspector = app.control.inspect(timeout=1.0)
        queues = inspector.active_queues() or {}
        stats = inspector.stats() or {}
    except Exception:
        log.exception("could not count the workers; the job's neighbourhoods run in its own process")
        return 1
    total = 0
    for name, serving in queues.items():
        if any(q.get("name") == parts_queue(settings) for q in serving):
            total += int(stats.get(name, {}).get("pool", {}).get("max-concurrency", 1))
    return max(1, total)


def celery_solve(app: Celery, settings: Settings, scenario: Any, options: Any, *, replan: Any, on_progress: Any,
                 cancel: Any) -> Any:
    from solver import solve

    part_map = CeleryPartMap(app, settings, worker_processes(app, settings))
    plan = solve(scenario, dataclasses.replace(options, part_map=part_map), replan=replan, on_progress=on_progress,
                 cancel=cancel)
    if part_map.local or part_map.remote:
        log.info("neighbourhoods over %d process(es): %d solved in the job's process, %d by other workers",
                 part_map.parallelism, part_map.local, part_map.remote)
    return plan
