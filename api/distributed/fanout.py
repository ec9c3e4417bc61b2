"""Placeholder replaced below."""

from __future__ import annotations

from typing import Any

from celery import Celery

from api.settings import Settings


def register_part_task(app: Celery, settings: Settings) -> None:
    return None


def celery_solve(app: Celery, settings: Settings, scenario: Any, options: Any, *, replan: Any, on_progress: Any,
                 cancel: Any) -> Any:
    from solver import solve

    return solve(scenario, options, replan=replan, on_progress=on_progress, cancel=cancel)
