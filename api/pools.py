"""Bounded thread pools for CPU-heavy work that requests start: password hashing and the stateless solve.

Run in Starlette's shared thread pool, 40 concurrent argon2 checks or 45 solves took every thread the
ordinary endpoints need (reads fell from 130 to 0.5 requests per second).  Here each kind of work has a few
threads of its own and a short queue; the request awaits the result without holding a thread, and a request
beyond the queue is answered 503 with ``Retry-After`` at once instead of waiting behind everybody.

The solve pool uses worker *processes*: the solver's native code keeps Python's GIL for long stretches, so
a solve in a thread of the web process froze every request, threads or not (reads fell to 0.3 req/s in
benchmarks/flood.py).  Password hashing (argon2-cffi) releases the GIL and stays in threads.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from api.errors import ServiceUnavailable

T = TypeVar("T")


class BoundedPool:
    def __init__(self, name: str, workers: int, queue: int, busy_message: str, processes: bool = False) -> None:
        self._executor: Executor
        self._workers, self._processes = workers, processes
        if processes:
            self._executor = self._process_pool()
        else:
            self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"alliance-{name}")
        self._capacity = workers + queue
        self._pending = 0
        self._lock = threading.Lock()
        self._busy_message = busy_message

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        with self._lock:
            if self._pending >= self._capacity:
                raise ServiceUnavailable(self._busy_message, retry_after=2)
            self._pending += 1
        executor = self._executor
        try:
            return await asyncio.wrap_future(executor.submit(fn, *args))
        except BrokenProcessPool as exc:
            # A worker process died (killed, out of memory, a native crash): a broken pool refuses every later
            # task, so a new one replaces it and this caller is told to retry rather than shown a 500.
            with self._lock:
                if self._executor is executor:
                    self._executor = self._process_pool()
            executor.shutdown(wait=False, cancel_futures=True)
            raise ServiceUnavailable("求解进程意外退出，请重试 / the solver process stopped unexpectedly; retry",
                                     retry_after=2) from exc
        finally:
            with self._lock:
                self._pending -= 1

    def _process_pool(self) -> ProcessPoolExecutor:
        # spawn: a fresh interpreter, no copy of the web process's threads, locks or connections.
        return ProcessPoolExecutor(max_workers=self._workers, mp_context=multiprocessing.get_context("spawn"))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
