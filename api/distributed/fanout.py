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
import time
import uuid
from array import array
from typing import Any

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from api.settings import Settings

log = logging.getLogger("api.jobs")

CLAIM_TTL_S = 3600
# An answer may arrive this long after the round's deadline (its transfer, the result backend) and still count.
GRACE_S = 2.0


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

    def __call__(self, tasks: list[Any], deadline: float) -> list[list[float] | None]:
        from api.distributed.celery_app import SOLVE_PART, parts_queue
        from solver.run import solve_part as run_part

        group = uuid.uuid4().hex
        wall_deadline = time.time() + (deadline - time.monotonic())
        results: list[list[float] | None] = [None] * len(tasks)
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
        for i, task in enumerate(tasks):
            left = deadline - time.monotonic()
            if left < 0.2:
                log.info("round %s: deadline reached before neighbourhood %d", group, i)
                break
            if not self.redis.set(_claim_key(group, i), "job", nx=True, ex=CLAIM_TTL_S):
                continue  # a worker took it
            pending.pop(i, None)
            results[i] = run_part(dataclasses.replace(task, time_limit_s=min(task.time_limit_s, left)))
            self.local += 1
        for i in list(pending):
            # Not started anywhere by now (every worker busy): taken off the queue, so no worker solves it late.
            if self.redis.set(_claim_key(group, i), "job", nx=True, ex=CLAIM_TTL_S):
                pending.pop(i).forget()
        for i, handle in pending.items():
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
                results[i] = None if values is None else [float(v) for v in values]
                self.remote += 1
        if tasks:
            self.redis.delete(*[_claim_key(group, i) for i in range(len(tasks))])
        return results


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
