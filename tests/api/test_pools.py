"""The bounded pools (api/pools.py): a solve process that dies is answered 503 and the pool serves again."""

from __future__ import annotations

import asyncio
import os

import pytest

from api.errors import ServiceUnavailable
from api.pools import BoundedPool


def _die() -> int:
    os._exit(1)


def _square(n: int) -> int:
    return n * n


def test_a_dead_worker_process_gives_503_and_a_fresh_pool() -> None:
    pool = BoundedPool("solve-test", workers=1, queue=1, busy_message="busy", processes=True)
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            asyncio.run(pool.run(_die))
        assert "重试" in str(caught.value.detail)
        # Without the replacement every later task would fail with BrokenProcessPool.
        assert asyncio.run(pool.run(_square, 7)) == 49
    finally:
        pool.shutdown()
