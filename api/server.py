"""The application: ``create_app(settings)`` for tests and servers, ``serve(...)`` for the CLI.

At startup (the lifespan, under a PostgreSQL advisory lock so that several
processes may start at once): migrations to head, the demo seed when the
database is empty (and ``seed_demo``), the job runner with recovery of jobs a
previous process left queued or running (the sweeper, with a broker).  At shutdown the runner stops; a
job it interrupts goes back to ``queued`` and resumes at the next start.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from api.bodylimit import BodyLimitMiddleware
from api.db import make_engine, make_session_factory, run_migrations, startup_lock
from api.deps import SessionDep
from api.errors import install_error_handlers
from api.execution import routes as execution
from api.headers import SecurityHeadersMiddleware
from api.notices import routes as notices
from api.notifications import routes as notifications
from api.openapi import install_openapi, operation_id, register_docs
from api.pools import BoundedPool
from api.routes import admin, auth, documents, jobs, proposals, reviews, rounds
from api.schemas import Health
from api.services.jobs import JobRunner, Runner, SolveFn
from api.settings import ConfigurationError, Settings, check_shared_secret
from api.throttle import LoginThrottle, make_store

log = logging.getLogger("api")

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, solve_fn: SolveFn | None = None) -> FastAPI:
    """The application; ``solve_fn`` replaces ``solver.solve`` in the job runner (tests of the runner itself)."""
    settings = settings or Settings()
    check_shared_secret(settings)
    engine = make_engine(settings.database_url, settings.database_schema)
    session_factory = make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with startup_lock(engine, settings.database_schema):
            run_migrations(engine)
            from api.services.seed import ensure_admin, format_accounts, seed_if_empty

            if settings.admin_password is not None:
                ensure_admin(session_factory, settings.admin_username, settings.admin_password.get_secret_value())
            if settings.seed_demo:
                app.state.demo_accounts = seed_if_empty(session_factory)
                if app.state.demo_accounts:
                    print(format_accounts(app.state.demo_accounts), flush=True)
            if not settings.secret_key_was_set():
                log.warning("ALLIANCE_SECRET_KEY 未设置：每次启动随机生成，重启后所有用户需重新登录，"
                            "多个进程互不认可令牌 / "
                            "ALLIANCE_SECRET_KEY is not set: a random key per process; a restart logs everybody out "
                            "and several processes reject each other's tokens")
            runner = make_runner(session_factory, settings, solve_fn)
            app.state.runner = runner
            runner.start()
        from api.notifications.sender import OutboxSender

        sender = OutboxSender(session_factory, settings.outbox_interval_s, settings.outbox_base_delay_s,
                              settings.outbox_max_attempts, settings.report_reminder_hours)
        sender.start()
        try:
            yield
        finally:
            sender.shutdown()
            runner.shutdown()
            app.state.hash_pool.shutdown()
            app.state.solve_pool.shutdown()
            engine.dispose()

    app = FastAPI(
        title="德化产业链联盟撮合服务 / Dehua alliance matching service",
        version="1.0.0",
        description="二次发单与共享用工的计划、审核与确认 / planning, review and confirmation of secondary order "
        "dispatch and worker lending. 所有错误均为 RFC 9457 problem+json / every error is RFC 9457 problem+json.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.demo_accounts = []
    app.state.throttle = LoginThrottle(make_store(settings.throttle_redis_url()), settings.login_window_s,
                                       settings.login_max_failures_per_account, settings.login_max_failures_per_address)
    app.state.hash_pool = BoundedPool("hash", settings.hash_workers, settings.hash_queue,
                                      "登录请求过多，请稍后重试 / too many sign-ins at once; retry shortly")
    app.state.solve_pool = BoundedPool("solve", settings.solve_workers, settings.solve_queue,
                                       "求解繁忙，请稍后重试或提交计划任务 / the solver is busy; retry shortly or "
                                       "create a planning job", processes=True)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_upload_bytes=lambda: settings.max_upload_bytes)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/health", response_model=Health, tags=["health"], summary="健康检查 / liveness and database")
    def health(session: SessionDep) -> Health:
        session.execute(text("SELECT 1"))
        return Health(status="ok", database="ok")

    v1 = APIRouter(prefix=API_PREFIX)
    for module in (auth, admin, rounds, jobs, proposals, reviews, documents, execution, notices,
                   notifications):
        v1.include_router(module.router)
    from api.county.routes import router as county_router  # the county domain (nested alliances, escalation)

    v1.include_router(county_router)

    from api.catalogue.routes import router as catalogue_router  # branch pages: display names

    v1.include_router(catalogue_router)
    app.include_router(v1)

    from api.web.pages import register_web  # the browser pages: shells that call this JSON API

    register_web(app)
    from api.execution.pages import router as execution_pages

    app.include_router(execution_pages)
    register_docs(app)
    install_openapi(app)
    return app


def make_runner(session_factory: Any, settings: Settings, solve_fn: SolveFn | None = None) -> Runner:
    """Celery workers when a broker is configured (the web process only enqueues), else threads in this process."""
    if settings.broker_url:
        if solve_fn is not None:
            raise ValueError("solve_fn replaces the solver of the in-process runner only")
        from api.distributed.runner import CeleryJobRunner

        return CeleryJobRunner(session_factory, settings)
    return JobRunner(session_factory, settings, solve_fn)


def serve(host: str = "127.0.0.1", port: int = 8000, database_url: str | None = None) -> None:
    """Run the service with uvicorn: migrations, demo seed (accounts printed), job runner, then requests."""
    import uvicorn

    overrides = {"database_url": database_url} if database_url else {}
    settings = Settings(**overrides)  # type: ignore[arg-type]
    try:
        app = create_app(settings)
    except ConfigurationError as exc:
        print(f"✗ {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    print(f"德化产业链联盟撮合服务 / Dehua alliance service: http://{host}:{port}/  (API docs /docs)", flush=True)
    print(f"数据库 / database: {_safe_url(settings.database_url)}", flush=True)
    if settings.broker_url:
        print(f"任务代理 / broker: {_safe_url(settings.broker_url)} (队列 / queue {settings.broker_queue}); "
              "求解由 alliance worker 进程执行 / solves run in alliance worker processes", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
