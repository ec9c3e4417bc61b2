"""Logging in and managing accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api import queries
from api.errors import Conflict, InvalidInput, Unauthorized, make_field_error, not_found
from api.models import Role, User
from api.schemas import UserCreate, UserUpdate
from api.security import create_access_token, hash_password, password_problem, verify_password
from api.services import audit
from api.settings import Settings

WRONG_LOGIN = "用户名或密码错误 / wrong username or password"


def login(session: Session, settings: Settings, username: str, password: str) -> str:
    """Synchronous login (CLI, tests); the route uses :func:`lookup` and the hashing pool instead."""
    user = queries.get_user_by_username(session, username)
    if not verify_password(password, user.password_hash if user else None) or user is None or not user.is_active:
        raise Unauthorized(WRONG_LOGIN)
    return create_access_token(settings, user.id, user.token_version)


def lookup(session: Session, username: str) -> tuple[int, str, bool, int] | None:
    """(id, password hash, active, token version) of an account, read before the hash is checked elsewhere."""
    user = queries.get_user_by_username(session, username)
    return (user.id, user.password_hash, user.is_active, user.token_version) if user else None


def record_throttled(session: Session, username: str, address: str, scope: str, retry_after: int) -> None:
    user = queries.get_user_by_username(session, username)
    audit.record(session, None, "auth.throttled", "user", user.id if user else username[:64],
                 after={"username": username[:64], "address": address, "scope": scope, "retry_after_s": retry_after})


def throttled_message(retry_after: int) -> str:
    minutes = max(1, (retry_after + 59) // 60)
    return (f"登录失败次数过多，请 {minutes} 分钟后再试 / too many failed sign-ins; try again in {minutes} "
            "minute(s)")


def check_password(data_password: str, *related: str) -> None:
    problem = password_problem(data_password, *related)
    if problem:
        raise InvalidInput("密码不符合要求 / the password is refused",
                           [make_field_error(["body", "password"], problem, "weak_password")])


def create_user(session: Session, actor: User | None, data: UserCreate) -> User:
    """A new account; a common or too simple password is refused (the demo seed's included)."""
    if queries.get_user_by_username(session, data.username) is not None:
        raise Conflict(f"用户名 {data.username} 已存在 / username {data.username} is taken")
    errors = []
    weak = password_problem(data.password, data.username, data.display_name)
    if weak:
        errors.append(make_field_error(["body", "password"], weak, "weak_password"))
    enterprise_id = data.enterprise_id if data.role == Role.ENTERPRISE else None
    alliance_id = data.alliance_id if data.role == Role.COORDINATOR else None
    # The types say which rule bound: a missing or misplaced id is the schema's (UserCreate states it per role),
    # an id that names no row is the stored data's.
    if data.role == Role.ENTERPRISE:
        if data.enterprise_id is None or queries.get_enterprise(session, data.enterprise_id) is None:
            errors.append(make_field_error(["body", "enterprise_id"], "企业账号需指定存在的企业 / an enterprise "
                                           "account needs an existing enterprise_id",
                                           "missing" if data.enterprise_id is None else "unknown_enterprise",
                                           data.enterprise_id))
    elif data.enterprise_id is not None:
        errors.append(make_field_error(["body", "enterprise_id"], "仅企业账号可指定企业 / only role enterprise "
                                       "takes an enterprise_id", "extra_forbidden", data.enterprise_id))
    if data.role == Role.COORDINATOR:
        if data.alliance_id is None or queries.get_alliance(session, data.alliance_id) is None:
            errors.append(make_field_error(["body", "alliance_id"], "协调员账号需指定联盟 / a coordinator account "
                                           "needs an alliance_id",
                                           "missing" if data.alliance_id is None else "unknown_alliance",
                                           data.alliance_id))
    elif data.alliance_id is not None:
        errors.append(make_field_error(["body", "alliance_id"], "仅协调员账号可指定联盟（指导员用分配）/ only role "
                                       "coordinator takes an alliance_id (guides are assigned)", "extra_forbidden",
                                       data.alliance_id))
    if errors:
        raise InvalidInput("账号数据无效 / invalid account data", errors)
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
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
        check_password(data.password, user.username, user.display_name)
        user.password_hash = hash_password(data.password)
        user.token_version += 1  # every token issued with the old password stops working
    if data.display_name is not None:
        user.display_name = data.display_name
    if data.is_active is not None:
        if user.id == actor.id and not data.is_active:
            raise Conflict("不能停用自己的账号 / you cannot deactivate your own account")
        if user.is_active and not data.is_active:
            user.token_version += 1
        user.is_active = data.is_active
    after = audit.state(user)
    if data.password is not None:
        after["password"] = "changed"
    audit.record(session, actor, "user.update", "user", user.id, before=before, after=after)
    return user
