"""Logging in and managing accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import queries
from api.errors import Conflict, InvalidInput, Unauthorized, make_field_error, not_found
from api.models import Role, User
from api.schemas import UserCreate, UserUpdate
from api.security import create_access_token, hash_password, verify_password
from api.services import audit
from api.settings import Settings


def login(session: Session, settings: Settings, username: str, password: str) -> str:
    user = queries.get_user_by_username(session, username)
    if not verify_password(password, user.password_hash if user else None) or user is None or not user.is_active:
        raise Unauthorized("用户名或密码错误 / wrong username or password")
    return create_access_token(settings, user.id)


def create_user(session: Session, actor: User | None, data: UserCreate, *, demo: bool = False) -> User:
    """A new account; ``demo`` (seeding only) hashes the published demo password cheaply."""
    if queries.get_user_by_username(session, data.username) is not None:
        raise Conflict(f"用户名 {data.username} 已存在 / username {data.username} is taken")
    errors = []
    enterprise_id = data.enterprise_id if data.role == Role.ENTERPRISE else None
    alliance_id = data.alliance_id if data.role == Role.COORDINATOR else None
    if data.role == Role.ENTERPRISE:
        if data.enterprise_id is None or queries.get_enterprise(session, data.enterprise_id) is None:
            errors.append(make_field_error(["body", "enterprise_id"], "企业账号需指定存在的企业 / an enterprise "
                                           "account "
                                           "needs an existing enterprise_id", value=data.enterprise_id))
    elif data.enterprise_id is not None:
        errors.append(make_field_error(["body", "enterprise_id"], "仅企业账号可指定企业 / only role enterprise "
                                       "takes an enterprise_id", value=data.enterprise_id))
    if data.role == Role.COORDINATOR:
        if data.alliance_id is None or queries.get_alliance(session, data.alliance_id) is None:
            errors.append(make_field_error(["body", "alliance_id"], "协调员账号需指定联盟 / a coordinator account "
                                           "needs an alliance_id", value=data.alliance_id))
    elif data.alliance_id is not None:
        errors.append(make_field_error(["body", "alliance_id"], "仅协调员账号可指定联盟（指导员用分配）/ only role "
                                       "coordinator takes an alliance_id (guides are assigned)",
                                       value=data.alliance_id))
    if errors:
        raise InvalidInput("账号数据无效 / invalid account data", errors)
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password, demo=demo),
        role=data.role,
        enterprise_id=enterprise_id,
        alliance_id=alliance_id,
    )
    session.add(user)
    session.flush()
    alliance = alliance_id if alliance_id is not None else (user.enterprise.alliance_id if user.enterprise else None)
    audit.record(session, actor, "user.create", "user", user.id, after=audit.state(user), alliance_id=alliance)
    return user


def update_user(session: Session, actor: User, user_id: int, data: UserUpdate) -> User:
    user = queries.get_user(session, user_id)
    if user is None:
        raise not_found("用户 user", user_id)
    before = audit.state(user)
    if data.password is not None:
        user.password_hash = hash_password(data.password)
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.is_active is not None:
        if user.id == actor.id and not data.is_active:
            raise Conflict("不能停用自己的账号 / you cannot deactivate your own account")
        user.is_active = data.is_active
    after = audit.state(user)
    if data.password is not None:
        after["password"] = "changed"
    audit.record(session, actor, "user.update", "user", user.id, before=before, after=after)
    return user
