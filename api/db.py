"""Engine, sessions and migrations.

SQLite gets foreign keys ON (off by default there), WAL (readers do not wait
for the job runner's progress writes) and a busy timeout; PostgreSQL is used
through psycopg 3 (``postgresql+psycopg://``).  The schema is created only by
Alembic migrations, see :func:`run_migrations`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

API_DIR = Path(__file__).resolve().parent
ALEMBIC_INI = API_DIR / "alembic.ini"
MIGRATIONS_DIR = API_DIR / "migrations"

SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(database_url: str, schema: str | None = None) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: objects returned by a service stay readable after the request's commit.
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def run_migrations(engine: Engine, revision: str = "head") -> None:
    """``alembic upgrade head`` on the engine's database, in one transaction."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def startup_lock(engine: Engine, schema: str | None) -> Iterator[None]:
    """On PostgreSQL, one process at a time runs the startup work (migrations, seed, job recovery).

    Two web processes starting together would otherwise both run ``alembic upgrade`` on an empty schema (the
    second fails on tables that now exist) or both seed the demo.  A session-level advisory lock, keyed by the
    schema so test runs in other schemas do not wait, is held on its own connection for the whole startup; the
    second process waits, then finds the work done.  SQLite has one process per database file: no lock.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    key = zlib.crc32(f"alliance-startup:{schema or ''}".encode())
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()


def on_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's current transaction is committed (never on rollback).

    A planning job is handed to the worker threads this way, so a worker never
    looks for a row that the request has not committed yet.
    """
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop("after_commit", None)
