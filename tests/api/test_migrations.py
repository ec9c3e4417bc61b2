"""The schema comes from the Alembic migrations only, and they match the models (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import alembic_config, make_engine, run_migrations
from api.models import Base
from tests.api.conftest import Backend


def _diff(backend: Backend) -> list:
    engine = make_engine(backend.url, backend.schema)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))
    finally:
        engine.dispose()


def test_migrations_build_the_models_schema(backend: Backend) -> None:
    engine = make_engine(backend.url, backend.schema)
    try:
        run_migrations(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
        assert _diff(backend) == []
        run_migrations(engine)  # a second start finds nothing to do
        # Down to nothing and up again.
        config = alembic_config()
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        run_migrations(engine)
        assert _diff(backend) == []
    finally:
        engine.dispose()


def test_sqlite_pragmas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")  # the folder is created
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()
    assert (tmp_path / "sub" / "x.db").exists()
