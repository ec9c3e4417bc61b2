"""Alliances, member enterprises and guide assignments (the admin's side)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import credit_code, queries
from api.errors import Conflict, InvalidInput, make_field_error, not_found
from api.models import Alliance, Enterprise, GuideAssignment, Role, User
from api.schemas import AllianceCreate, EnterpriseCreate, EnterpriseUpdate
from api.services import audit


def create_alliance(session: Session, actor: User | None, data: AllianceCreate) -> Alliance:
    if queries.alliance_by_code(session, data.code) is not None:
        raise Conflict(f"联盟编码 {data.code} 已存在 / alliance code {data.code} is taken")
    alliance = Alliance(code=data.code, name=data.name)
    session.add(alliance)
    session.flush()
    audit.record(session, actor, "alliance.create", "alliance", alliance.id, after=audit.state(alliance),
                 alliance_id=alliance.id)
    return alliance


def checked_credit_code(session: Session, raw: str, *, current: Enterprise | None = None) -> str:
    code = credit_code.normalize(raw)
    why = credit_code.problem(code)
    if why is not None:
        raise InvalidInput(f"统一社会信用代码无效 / invalid unified social credit code: {why}",
                           [make_field_error(["body", "credit_code"], why, "credit_code", raw)])
    other = queries.enterprise_by_credit_code(session, code)
    if other is not None and other is not current:
        raise Conflict(f"统一社会信用代码 {code} 已登记 / credit code {code} is already registered")
    return code


def create_enterprise(session: Session, actor: User | None, alliance: Alliance, data: EnterpriseCreate) -> Enterprise:
    code = checked_credit_code(session, data.credit_code)
    if data.code in queries.enterprises_by_code(session, alliance.id):
        raise Conflict(f"企业编码 {data.code} 在本联盟已存在 / enterprise code {data.code} exists in this alliance")
    ent = Enterprise(alliance_id=alliance.id, credit_code=code, **data.model_dump(exclude={"credit_code"}))
    session.add(ent)
    session.flush()
    audit.record(session, actor, "enterprise.create", "enterprise", ent.id, after=audit.state(ent),
                 alliance_id=alliance.id)
    return ent


def update_enterprise(session: Session, actor: User, ent: Enterprise, data: EnterpriseUpdate) -> Enterprise:
    before = audit.state(ent)
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise InvalidInput("字段不能为空 / a field may be omitted but not null",
                               [make_field_error(["body", field], "不能为 null / must not be null", value=None)])
    if "credit_code" in changes:
        changes["credit_code"] = checked_credit_code(session, changes["credit_code"], current=ent)
    for field, value in changes.items():
        setattr(ent, field, value)
    audit.record(session, actor, "enterprise.update", "enterprise", ent.id, before=before, after=audit.state(ent),
                 alliance_id=ent.alliance_id)
    return ent


def assign_guide(session: Session, actor: User, alliance: Alliance, user_id: int) -> GuideAssignment:
    guide = queries.get_user(session, user_id)
    if guide is None:
        raise not_found("用户 user", user_id)
    if guide.role != Role.GUIDE:
        raise InvalidInput("只能分配指导员账号 / only guide accounts can be assigned",
                           [make_field_error(["path", "user_id"], f"role is {guide.role}", "wrong_role", user_id)])
    existing = queries.guide_assignment(session, user_id, alliance.id)
    if existing is not None:
        return existing
    assignment = GuideAssignment(user_id=user_id, alliance_id=alliance.id)
    session.add(assignment)
    session.flush()
    audit.record(session, actor, "guide.assign", "guide_assignment", f"{user_id}:{alliance.id}",
                 after={"user_id": user_id, "alliance_id": alliance.id}, alliance_id=alliance.id)
    return assignment


def unassign_guide(session: Session, actor: User, alliance: Alliance, user_id: int) -> None:
    existing = queries.guide_assignment(session, user_id, alliance.id)
    if existing is None:
        raise not_found("指导员分配 guide assignment", f"{user_id}@{alliance.id}")
    session.delete(existing)
    audit.record(session, actor, "guide.unassign", "guide_assignment", f"{user_id}:{alliance.id}",
                 before={"user_id": user_id, "alliance_id": alliance.id}, alliance_id=alliance.id)
