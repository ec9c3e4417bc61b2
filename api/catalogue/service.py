"""Editing the catalogue: an admin names a code (new or seeded) or returns it to its seed name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalogue.defaults import DEFAULTS, Kind
from api.catalogue.names import Entry, load
from api.catalogue.schemas import DisplayNameIn
from api.errors import InvalidInput, make_field_error, not_found
from api.models import DisplayName, User, utcnow
from api.services import audit

# The codes of scenarios (MODEL.md): letters, digits, '_', '-', '.'.
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _row(session: Session, kind: Kind, code: str) -> DisplayName | None:
    return session.scalars(select(DisplayName).where(DisplayName.kind == kind, DisplayName.code == code)).first()


def set_name(session: Session, actor: User, kind: Kind, code: str, data: DisplayNameIn) -> Entry:
    if not _CODE.match(code):
        raise InvalidInput(f"代码“{code}”格式不正确（字母、数字、_ - .）/ code {code!r} is not a valid code",
                           [make_field_error(["path", "code"], "格式不正确 / invalid code", "pattern", code)])
    if not _CJK.search(data.name_zh):
        raise InvalidInput(f"中文名称“{data.name_zh}”不含汉字 / the Chinese name {data.name_zh!r} has no Chinese",
                           [make_field_error(["body", "name_zh"], "应含汉字 / must contain Chinese characters",
                                             "value_error", data.name_zh)])
    row = _row(session, kind, code)
    before = audit.state(row) if row is not None else None
    if row is None:
        row = DisplayName(kind=kind, code=code, name_zh=data.name_zh, name_en=data.name_en)
        session.add(row)
    row.name_zh, row.name_en, row.updated_by, row.updated_at = data.name_zh, data.name_en, actor.id, utcnow()
    session.flush()
    audit.record(session, actor, "catalogue.set", "display_name", f"{kind}:{code}", before=before,
                 after=audit.state(row))
    return load(session).entries[kind][code]


def reset_name(session: Session, actor: User, kind: Kind, code: str) -> Entry | None:
    """Drop the admin's name: the seed name again, or nothing for a code the seed does not know."""
    row = _row(session, kind, code)
    if row is None:
        raise not_found("名称 name", f"{kind}:{code}")
    before = audit.state(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "catalogue.reset", "display_name", f"{kind}:{code}", before=before)
    return load(session).entries[kind].get(code) if code in DEFAULTS[kind] else None
