"""Argon2 at its smallest cost for tests: they create and sign in dozens of accounts (the demo seed alone has 27,
~0.2 s of CPU each at pwdlib's defaults).  Production keeps pwdlib's recommended setting (api/security.py).

Nothing the tests check depends on the cost: a hash still verifies only its own password, and every account of a
run (the demo seed's too) is hashed with the same setting, which tests/api/test_seed.py checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


def cheap_hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@contextmanager
def cheap_password_hashing() -> Iterator[None]:
    """Swap api.security's hasher for the cheap one in this process, and back."""
    from api import security

    original = security._hasher
    security._hasher = cheap_hasher()
    try:
        yield
    finally:
        security._hasher = original
