"""``alliance worker``: a Celery worker (prefork pool) for planning jobs and their neighbourhood parts.

Each solve runs in a pool process of its own (prefork: a solver's crash or its memory stays in that process), one
reserved task per process (prefetch multiplier 1), and a process that grew past ``--max-memory-per-child-mb``
(1 GB) is replaced after its task: a county solve takes gigabytes that a long-lived process would keep.  Not a
fresh process per task (``--max-tasks-per-child 1``): measured, the pool took ~5 s to replace a process, which
cost every small neighbourhood task of a fan-out (api/distributed/fanout.py) those seconds.
"""

from __future__ import annotations

import sys

from api.settings import Settings


def run_worker(concurrency: int, max_memory_per_child_mb: int, loglevel: str) -> int:
    settings = Settings()
    if not settings.broker_url:
        print("✗ 未设置 ALLIANCE_BROKER_URL（如 redis://127.0.0.1:6379/0）/ ALLIANCE_BROKER_URL is not set "
              "(e.g. redis://127.0.0.1:6379/0)", file=sys.stderr, flush=True)
        return 2
    # Loaded before the pool forks, so each new process starts with OR-Tools in memory instead of importing it.
    import solver  # noqa: F401
    from api.distributed.celery_app import make_celery, parts_queue

    app = make_celery(settings)
    queues = f"{settings.broker_queue},{parts_queue(settings)}"
    app.worker_main([
        "worker", "--pool=prefork", f"--concurrency={concurrency}", "--prefetch-multiplier=1",
        f"--max-memory-per-child={max_memory_per_child_mb * 1024}", "-Q", queues, f"--loglevel={loglevel}",
        "--without-gossip", "--without-mingle",
    ])
    return 0
