"""Service settings, read once from the environment (prefix ``ALLIANCE_``).

``secret_key`` signs the access tokens.  When it is not set, a random key is
drawn for each process: safe by default, but every restart then logs every
user out, and several worker processes would not accept each other's tokens.
Production sets ``ALLIANCE_SECRET_KEY``; the service warns at startup when it is not set.  The key is a
``SecretStr``: a refused key (too short) is never printed back.

Sign-in throttling keeps its counters in the process, or in Redis when ``ALLIANCE_REDIS_URL`` (or an
``ALLIANCE_BROKER_URL`` starting with ``redis://``) is set, so several web processes share the limits.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/alliance.db"


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting (a short secret key, a database URL with its password) is never
    # printed back in the error.
    model_config = SettingsConfigDict(env_prefix="ALLIANCE_", extra="ignore", hide_input_in_errors=True)

    # SQLite (the folder of the file is created) or PostgreSQL via ``postgresql+psycopg://``.
    database_url: str = DEFAULT_DATABASE_URL
    # PostgreSQL only: the schema the service's tables live in (search_path); None = the server default.
    database_schema: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(secrets.token_urlsafe(48)), min_length=32)
    token_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    access_token_minutes: int = Field(default=8 * 60, ge=1, le=7 * 24 * 60)

    # Solver defaults for planning jobs, and the ceiling any request may ask for.
    solver_time_limit_s: float = Field(default=30.0, gt=0)
    solver_max_time_limit_s: float = Field(default=600.0, gt=0)
    solver_relative_gap: float = Field(default=1e-4, ge=0, le=1)
    solver_threads: int = Field(default=1, ge=1, le=64)
    solver_backend: Literal["highs", "scip", "cpsat"] = "highs"

    # Planning jobs run in this many worker threads, off the request path.
    job_workers: int = Field(default=1, ge=1, le=32)
    # The job row's progress is written at most this often (seconds); the final value always.
    progress_interval_s: float = Field(default=1.0, ge=0)
    # Jobs a previous process left queued or running: re-queue them (True) or mark them failed (False).
    resume_interrupted_jobs: bool = True

    # An admin account created at startup when it does not exist (the way into a database without the demo).
    admin_username: str = Field(default="admin", min_length=2, max_length=64)
    admin_password: SecretStr | None = Field(default=None, min_length=8)

    # Seed a demo alliance with accounts for every role when the database is empty.
    seed_demo: bool = True
    # Largest upload accepted by the report import, bytes.
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)

    # ----- hardening: sign-in throttling, bounded pools, job caps (docs/api.md, "Limits") -----
    redis_url: str | None = None
    broker_url: str | None = None  # read only to find a redis:// URL; the workers' broker is configured elsewhere
    login_window_s: int = Field(default=15 * 60, ge=1)
    login_max_failures_per_account: int = Field(default=5, ge=1)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    # Password hashing (argon2, ~0.2 s of CPU each) runs in this many threads; more waiting logins get 503.
    hash_workers: int = Field(default=2, ge=1, le=16)
    hash_queue: int = Field(default=16, ge=0)
    # The stateless POST /solve: coordinators and admins only, in its own pool, at most this many waiting.
    solve_workers: int = Field(default=1, ge=1, le=16)
    solve_queue: int = Field(default=2, ge=0)
    # Planning jobs queued or running at once, per round and per requesting user.
    max_active_jobs_per_round: int = Field(default=3, ge=1)
    max_active_jobs_per_user: int = Field(default=5, ge=1)
    # A job started this many times without finishing (its process died each time) is failed, not resumed.
    max_job_attempts: int = Field(default=3, ge=1)

    def throttle_redis_url(self) -> str | None:
        for url in (self.redis_url, self.broker_url):
            if url and url.startswith(("redis://", "rediss://")):
                return url
        return None

    def secret_key_was_set(self) -> bool:
        return "secret_key" in self.model_fields_set

    def effective_time_limit(self, requested: float | None) -> float:
        """The time limit a solve gets: the request's, else the default, never above the ceiling."""
        value = self.solver_time_limit_s if requested is None else requested
        return min(value, self.solver_max_time_limit_s)
