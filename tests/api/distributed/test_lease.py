"""The lease of a job (claim, heartbeat, sweep), the startup lock and the shared-secret rule, on the database alone."""

from __future__ import annotations

import datetime as dt
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text, update

from api.distributed import lease
from api.models import PlanningJob, utcnow
from api.server import create_app
from api.settings import ConfigurationError, Settings
from tests.api.conftest import Api, Backend, build_world, ok, wait_job


@pytest.fixture(scope="module")
def job(backend: Backend) -> Iterator[tuple[Any, Settings, int]]:
    """A finished job on ``backend``; each test sets its row to the state it needs."""
    settings = backend.settings(job_max_attempts=2, job_lease_s=30)
    client = TestClient(create_app(settings))
    client.__enter__()
    api = Api(client)
    world = build_world(api)
    job = ok(api.as_("coord").post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 1}), 202)
    wait_job(api.as_("coord"), job["id"])
    try:
        yield client.app.state.session_factory, settings, job["id"]  # type: ignore[attr-defined]
    finally:
        client.__exit__(None, None, None)


def _set(factory: Any, job_id: int, **values: Any) -> None:
    with factory() as session:
        session.execute(update(PlanningJob).where(PlanningJob.id == job_id).values(**values))
        session.commit()


def _get(factory: Any, job_id: int) -> PlanningJob:
    with factory() as session:
        row = session.get(PlanningJob, job_id)
        assert row is not None
        return row


def test_only_one_worker_claims_a_job(job: tuple[Any, Settings, int]) -> None:
    factory, settings, job_id = job
    _set(factory, job_id, status="queued", attempts=0, lease_owner=None)
    with factory() as s1, factory() as s2:
        assert lease.claim(s1, job_id, "w1", settings)
        s1.commit()
        assert not lease.claim(s2, job_id, "w2", settings)  # a redelivered or duplicate message
        s2.commit()
    row = _get(factory, job_id)
    assert row.status == "running" and row.lease_owner == "w1" and row.attempts == 1
    assert row.lease_expires_at is not None and row.lease_expires_at > utcnow() + dt.timedelta(seconds=20)


def test_the_heartbeat_holds_only_while_running_and_owned(job: tuple[Any, Settings, int]) -> None:
    factory, settings, job_id = job
    _set(factory, job_id, status="running", lease_owner="w1", lease_expires_at=utcnow())
    with factory() as session:
        assert lease.renew(session, job_id, "w1", settings)
        assert not lease.renew(session, job_id, "w2", settings)
        session.commit()
    assert _get(factory, job_id).lease_expires_at > utcnow() + dt.timedelta(seconds=20)  # type: ignore[operator]
    _set(factory, job_id, status="cancelled")  # a coordinator cancels, through any web process
    with factory() as session:
        assert not lease.renew(session, job_id, "w1", settings)  # the worker's cue to stop
        assert not lease.set_owned(session, job_id, "w1", status="succeeded")  # and it cannot overwrite
        session.commit()
    assert _get(factory, job_id).status == "cancelled"


def test_the_sweeper_requeues_an_expired_lease_then_gives_up(job: tuple[Any, Settings, int]) -> None:
    factory, settings, job_id = job
    past = utcnow() - dt.timedelta(seconds=5)
    _set(factory, job_id, status="running", lease_owner="dead", lease_expires_at=utcnow() + dt.timedelta(seconds=9),
         attempts=1)
    published: list[int] = []
    assert lease.sweep(factory, settings, published.append) == []  # lease still valid: left alone
    _set(factory, job_id, lease_expires_at=past)
    assert lease.sweep(factory, settings, published.append) == [job_id]
    row = _get(factory, job_id)
    assert row.status == "queued" and row.lease_owner is None and row.published_at is None
    # Claimed again, lost again: the second loss reaches job_max_attempts = 2 and the job fails with the reason.
    with factory() as session:
        assert lease.claim(session, job_id, "w2", settings)
        session.commit()
    _set(factory, job_id, lease_expires_at=past)
    lease.sweep(factory, settings, published.append)
    row = _get(factory, job_id)
    assert row.status == "failed" and row.attempts == 2 and "不再重试" in (row.error or "")
    assert "not retried" in (row.error or "") and published == [job_id]


def test_the_sweeper_publishes_a_job_never_published(job: tuple[Any, Settings, int]) -> None:
    factory, settings, job_id = job
    _set(factory, job_id, status="queued", published_at=None, lease_owner=None)
    published: list[int] = []
    assert lease.sweep(factory, settings, published.append) == [job_id]
    _set(factory, job_id, published_at=utcnow())
    assert lease.sweep(factory, settings, published.append) == []  # published and waiting for a worker: left alone
    # Published longer ago than Redis keeps an unacknowledged message: sent again, in case the broker lost it.
    _set(factory, job_id, published_at=utcnow() - dt.timedelta(seconds=settings.visibility_timeout_s() + 1))
    assert lease.sweep(factory, settings, published.append) == [job_id]
    _set(factory, job_id, status="succeeded")


# ----- startup ---------------------------------------------------------------------------------------------


def test_startup_waits_for_the_advisory_lock(backend: Backend) -> None:
    if backend.name != "postgres":
        pytest.skip("the startup lock is PostgreSQL's (SQLite serves one process per file)")
    engine = create_engine(backend.url)
    schema = f"{backend.schema}_lock"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    key = zlib.crc32(f"alliance-startup:{schema}".encode())
    holder = engine.connect()
    try:
        holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        client = TestClient(create_app(Backend("postgres", backend.url, schema).settings()))
        started = threading.Thread(target=client.__enter__)
        started.start()
        time.sleep(1.5)
        # Another process holds the lock: this one has not migrated anything yet.
        assert started.is_alive()
        assert inspect(engine).get_table_names(schema=schema) == []
        holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        started.join(30)
        assert not started.is_alive()
        assert "planning_job" in inspect(engine).get_table_names(schema=schema)
        client.__exit__(None, None, None)
    finally:
        holder.close()
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.mark.parametrize("config", [
    {"database_url": "postgresql+psycopg://alliance:pw-not-shown@db.example/alliance"},
    {"broker_url": "redis://127.0.0.1:6379/9"},
])
def test_a_shared_deployment_needs_the_secret_key(config: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANCE_SECRET_KEY", raising=False)
    settings = Settings(**config)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as raised:
        create_app(settings)
    message = str(raised.value)
    assert "ALLIANCE_SECRET_KEY" in message and "必须设置" in message
    assert settings.secret_key.get_secret_value() not in message and "pw-not-shown" not in message
    create_app(Settings(**config, secret_key="k" * 40))  # type: ignore[arg-type]  # set: accepted


def test_the_quick_start_needs_no_key_and_no_broker(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("ALLIANCE_SECRET_KEY", raising=False)
    monkeypatch.delenv("ALLIANCE_BROKER_URL", raising=False)
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'a.db'}"))
    from api.services.jobs import JobRunner

    with TestClient(app):
        assert isinstance(app.state.runner, JobRunner)
