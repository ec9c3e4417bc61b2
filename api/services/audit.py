"""Audit log: who changed what, when, with the state before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from api.models import AuditLog, User

# Never copied into the log: secrets, and blobs that the row itself keeps (scenario snapshots, plans).
_NEVER_LOGGED = {"password_hash", "snapshot", "plan"}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def state(obj: Any, exclude: set[str] | None = None) -> dict[str, Any]:
    """The column values of a row, JSON-ready, for before/after."""
    skip = _NEVER_LOGGED | (exclude or set())
    mapper = inspect(obj).mapper
    return {c.key: _plain(getattr(obj, c.key)) for c in mapper.column_attrs if c.key not in skip}


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    alliance_id: int | None = None,
) -> AuditLog:
    entry = AuditLog(
        actor_id=actor.id if actor is not None else None,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        alliance_id=alliance_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
