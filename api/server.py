"""The application: ``create_app(settings)`` for tests and servers, ``serve(...)`` for the CLI.

At startup (the lifespan): migrations to head, the demo seed when the
database is empty (and ``seed_demo``), the job runner with recovery of jobs a
previous process left queued or running.  At shutdown the runner stops; a
job it interrupts goes back to ``queued`` and resumes at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from api.db import make_engine, make_session_factory, run_migrations
from api.deps import SessionDep
from api.errors import install_error_handlers
from api.routes import admin, auth, documents, jobs, proposals, reviews, rounds
from api.schemas import Health
from api.services.jobs import JobRunner, SolveFn
from api.settings import Settings

log = logging.getLogger("api")

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, solve_fn: SolveFn | None = None) -> FastAPI:
    """The application; ``solve_fn`` replaces ``solver.solve`` in the job runner (tests of the runner itself)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url, settings.database_schema)
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        run_migrations(engine)
        from api.services.seed import ensure_admin, format_accounts, seed_if_empty

        if settings.admin_password is not None:
            ensure_admin(session_factory, settings.admin_username, settings.admin_password.get_secret_value())
        if settings.seed_demo:
            app.state.demo_accounts = seed_if_empty(session_factory)
            if app.state.demo_accounts:
                print(format_accounts(app.state.demo_accounts), flush=True)
        runner = JobRunner(session_factory, settings, solve_fn)
        app.state.runner = runner
        runner.start()
        try:
            yield
        finally:
            runner.shutdown()
            engine.dispose()

    app = FastAPI(
        title="德化产业链联盟撮合服务 / Dehua alliance matching service",
        version="1.0.0",
        description="二次发单与共享用工的计划、审核与确认 / planning, review and confirmation of secondary order "
        "dispatch and worker lending. 所有错误均为 RFC 9457 problem+json / every error is RFC 9457 problem+json.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.demo_accounts = []
    install_error_handlers(app)

    @app.get("/health", response_model=Health, tags=["health"], summary="健康检查 / liveness and database")
    def health(session: SessionDep) -> Health:
        session.execute(text("SELECT 1"))
        return Health(status="ok", database="ok")

    v1 = APIRouter(prefix=API_PREFIX)
    for module in (auth, admin, rounds, jobs, proposals, reviews, documents):
        v1.include_router(module.router)
    from api.catalogue.routes import router as catalogue_router  # branch pages: display names

    v1.include_router(catalogue_router)
    app.include_router(v1)

    from api.web.pages import register_web  # the browser pages: shells that call this JSON API

    register_web(app)
    return app


def serve(host: str = "127.0.0.1", port: int = 8000, database_url: str | None = None) -> None:
    """Run the service with uvicorn: migrations, demo seed (accounts printed), job runner, then requests."""
    import uvicorn

    overrides = {"database_url": database_url} if database_url else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    app = create_app(settings)
    print(f"德化产业链联盟撮合服务 / Dehua alliance service: http://{host}:{port}/  (API docs /docs)", flush=True)
    print(f"数据库 / database: {_safe_url(settings.database_url)}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
