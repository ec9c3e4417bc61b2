"""Password hashing (pwdlib, argon2) and access tokens (JWT, pyjwt)."""

from __future__ import annotations

import datetime as dt

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from api.settings import Settings

_hasher = PasswordHash.recommended()
# For demo accounts only, whose passwords are printed at every start anyway: a slow hash would protect
# nothing and make the first start take seconds per account.
_demo_hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),))
# Verified when the username is unknown, so a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("dummy password for timing")


def hash_password(password: str, *, demo: bool = False) -> str:
    return (_demo_hasher if demo else _hasher).hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a malformed stored hash must not turn a login into a 500
        return False


def create_access_token(settings: Settings, user_id: int) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {"sub": str(user_id), "iat": now, "exp": now + dt.timedelta(minutes=settings.access_token_minutes)}
    return jwt.encode(payload, settings.secret_key, algorithm=settings.token_algorithm)


def decode_access_token(settings: Settings, token: str) -> int | None:
    """The user id in a valid, unexpired token; None otherwise."""
    try:
        payload = jwt.decode(token, settings.secret_key, algorithms=[settings.token_algorithm],
                             options={"require": ["sub", "exp"]})
        return int(payload["sub"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
