"""Alembic environment: runs on the connection the service hands over, or on ALLIANCE_DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from api.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Run from the command line: configure logging and connect by URL.
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    from api.db import make_engine
    from api.settings import Settings

    settings = Settings()
    url = config.get_main_option("sqlalchemy.url") or settings.database_url
    engine = make_engine(url, settings.database_schema)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
