"""Password hashing (pwdlib, argon2), password strength (zxcvbn) and access tokens (JWT, pyjwt).

One argon2 setting for every account, the demo seed's included, and a dummy verification when the username
is unknown: a wrong username then costs as long as a wrong password, so timings do not tell which names exist.
Tokens carry the account's ``token_version`` (``ver``): a password change or a deactivation raises it, and
every token issued before is refused from then on.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import jwt
from pwdlib import PasswordHash
from zxcvbn import zxcvbn

from api.settings import Settings

_hasher = PasswordHash.recommended()


@cache
def _dummy_hash(hasher_id: int) -> str:
    # Made with the hasher in use (keyed by its id), so the dummy check costs what a real one does.
    return _hasher.hash("dummy password for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _dummy_hash(id(_hasher)))
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a malformed stored hash must not turn a login into a 500
        return False


# zxcvbn scores 0..4; 0 and 1 are "too guessable" (common passwords, keyboard walks, dictionary words with a digit).
MIN_PASSWORD_SCORE = 2


def password_problem(password: str, *related: str) -> str | None:
    """Why ``password`` is refused (Chinese / English), or None.  ``related``: username, display name."""
    inputs = [r for r in related if r]
    if any(password.lower() == r.lower() for r in inputs):
        return "密码不能与用户名或姓名相同 / the password must differ from the username and name"
    # zxcvbn's cost grows with length; the schema caps passwords at 128 characters, score only the first 64.
    result = zxcvbn(password[:64], user_inputs=inputs)
    if result["score"] < MIN_PASSWORD_SCORE:
        return ("密码过于简单或过于常见，请使用更长、不易猜到的密码（如几个词加数字）"
                " / the password is too simple or too "
                "common; use a longer one that is hard to guess (several words and digits)")
    return None


def create_access_token(settings: Settings, user_id: int, version: int = 0) -> str:
    now = dt.datetime.now(dt.UTC)
    payload = {"sub": str(user_id), "ver": version, "iat": now,
               "exp": now + dt.timedelta(minutes=settings.access_token_minutes)}
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=settings.token_algorithm)


def decode_access_token(settings: Settings, token: str) -> tuple[int, int] | None:
    """(user id, token version) of a valid, unexpired token; None otherwise."""
    try:
        payload = jwt.decode(token, settings.secret_key.get_secret_value(), algorithms=[settings.token_algorithm],
                             options={"require": ["sub", "exp"]})
        return int(payload["sub"]), int(payload.get("ver", 0))
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
