"""Service settings, read once from the environment (prefix ``ALLIANCE_``).

``secret_key`` signs the access tokens.  When it is not set, a random key is
drawn for each process: safe by default, but every restart then logs every
user out, and several worker processes would not accept each other's tokens.
Production sets ``ALLIANCE_SECRET_KEY``; with PostgreSQL or a broker the
service refuses to start without it (:func:`check_shared_secret`), and otherwise warns at startup.
The key is a ``SecretStr``: a refused key (too short) is never printed back.

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

    # ----- distributed deployment (docs/deployment.md) ---------------------------------------------------------
    # Celery broker (``redis://host:6379/0``). Unset: jobs run in threads of the web process (the embedded
    # default). Set: the web process only enqueues; ``alliance worker`` processes run the jobs.
    broker_url: str | None = None
    # The broker queue the jobs go to (one per deployment sharing a Redis database).
    broker_queue: str = Field(default="alliance.jobs", pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    # A running job's worker renews its lease this often; a lease not renewed for ``job_lease_s`` is expired and
    # the sweeper hands the job to another worker.
    job_heartbeat_s: float = Field(default=5.0, gt=0, le=300)
    job_lease_s: float = Field(default=30.0, gt=0, le=3600)
    # The sweeper (in every web process when a broker is set) looks for expired leases this often.
    job_sweep_interval_s: float = Field(default=10.0, gt=0, le=3600)
    # A job whose worker was lost this many times is failed with the reason rather than tried again.
    job_max_attempts: int = Field(default=3, ge=1, le=100)
    # Redis redelivers an unacknowledged task only after this long; it must exceed the longest allowed solve,
    # or a task still running is started a second time (celery/celery#4976). None: twice the solve ceiling + 5 min.
    broker_visibility_timeout_s: int | None = Field(default=None, ge=60)

    def visibility_timeout_s(self) -> int:
        if self.broker_visibility_timeout_s is not None:
            return self.broker_visibility_timeout_s
        return int(2 * self.solver_max_time_limit_s + 300)

    def shared_deployment(self) -> bool:
        """PostgreSQL or a broker: several processes may share the data, so one key must sign every token."""
        return self.broker_url is not None or self.database_url.startswith("postgresql")

    # Webhook outbox (issue 14): how often the sender looks for due messages, the first retry delay (doubling
    # per attempt, at most an hour), and after how many attempts a message is given up (kept as failed).
    outbox_interval_s: float = Field(default=5.0, gt=0)
    outbox_base_delay_s: float = Field(default=5.0, ge=0)
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)
    # "Report due" goes to the clerks of firms that have not reported this many hours before a round's deadline.
    report_reminder_hours: float = Field(default=24.0, gt=0, le=24 * 14)

    # ----- hardening: sign-in throttling, bounded pools, job caps (docs/api.md, "Limits") -----
    redis_url: str | None = None
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


class ConfigurationError(RuntimeError):
    """A setting the deployment cannot run with; the message says which and never shows a secret."""


def check_shared_secret(settings: Settings) -> None:
    """With PostgreSQL or a broker, refuse a per-process random signing key: other processes would reject its tokens."""
    if settings.shared_deployment() and "secret_key" not in settings.model_fields_set:
        raise ConfigurationError(
            "使用 PostgreSQL 或任务代理时必须设置 ALLIANCE_SECRET_KEY（至少 32 个字符，各进程相同）/ "
            "ALLIANCE_SECRET_KEY must be set (32+ characters, the same in every process) when PostgreSQL or a "
            "broker is configured: a random key per process would reject the other processes' tokens"
        )
