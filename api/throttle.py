"""Sign-in throttling: failed logins counted per account and per address, in a small store with two backends.

A fixed window per key: the first failure opens a window of ``login_window_s``; at the limit the key is
locked until its window ends (the answer's ``Retry-After``).  A success clears the account's counter (not the
address's: one right password must not reset a guessing run from that address).

``MemoryStore`` keeps the counters in the process (the default, one web process); ``RedisStore`` keeps them in
Redis (``INCR`` + ``EXPIRE NX`` in one transaction), so several web processes share one limit.  The store
is picked by ``Settings.throttle_redis_url``.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger("api.throttle")


class ThrottleStore(Protocol):
    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        """Count one failure; (failures in the window, seconds until the window ends)."""
        ...

    def peek(self, key: str) -> tuple[int, int]:
        """(failures in the window, seconds left) without counting; (0, 0) when no window is open."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._data: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> tuple[int, float] | None:
        entry = self._data.get(key)
        if entry is not None and entry[1] <= now:
            del self._data[key]
            return None
        return entry

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            if len(self._data) > 100_000:  # a flood of made-up names must not grow the dict without end
                for k in [k for k, (_, until) in self._data.items() if until <= now]:
                    del self._data[k]
            entry = self._live(key, now)
            count, until = (entry[0] + 1, entry[1]) if entry else (1, now + window_s)
            self._data[key] = (count, until)
            return count, max(1, int(until - now + 0.999))

    def peek(self, key: str) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            entry = self._live(key, now)
        return (entry[0], max(1, int(entry[1] - now + 0.999))) if entry else (0, 0)

    def clear(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisStore:
    PREFIX = "alliance:throttle:"

    def __init__(self, url: str, client: Any = None) -> None:
        import redis

        self.client = client or redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def hit(self, key: str, window_s: int) -> tuple[int, int]:
        name = self.PREFIX + key
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(name)
        pipe.expire(name, window_s, nx=True)
        pipe.ttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))

    def peek(self, key: str) -> tuple[int, int]:
        name = self.PREFIX + key
        pipe = self.client.pipeline(transaction=False)
        pipe.get(name)
        pipe.ttl(name)
        value, ttl = pipe.execute()
        return (int(value), max(1, int(ttl))) if value is not None else (0, 0)

    def clear(self, key: str) -> None:
        self.client.delete(self.PREFIX + key)


def make_store(redis_url: str | None) -> ThrottleStore:
    if redis_url:
        log.info("sign-in throttling in Redis")
        return RedisStore(redis_url)
    return MemoryStore()


@dataclass
class Verdict:
    allowed: bool
    retry_after: int = 0
    scope: str = ""  # "account" or "address" when refused


class LoginThrottle:
    def __init__(self, store: ThrottleStore, window_s: int, per_account: int, per_address: int) -> None:
        self.store, self.window_s = store, window_s
        self.per_account, self.per_address = per_account, per_address

    @staticmethod
    def _keys(username: str, address: str) -> tuple[str, str]:
        return f"user:{username.strip().lower()}", f"addr:{address}"

    def check(self, username: str, address: str) -> Verdict:
        user_key, addr_key = self._keys(username, address)
        for scope, key, limit in (("account", user_key, self.per_account), ("address", addr_key, self.per_address)):
            count, left = self.store.peek(key)
            if count >= limit:
                return Verdict(False, left, scope)
        return Verdict(True)

    def failed(self, username: str, address: str) -> None:
        user_key, addr_key = self._keys(username, address)
        self.store.hit(user_key, self.window_s)
        self.store.hit(addr_key, self.window_s)

    def succeeded(self, username: str) -> None:
        self.store.clear(self._keys(username, "")[0])
