"""Request dependencies: settings, the per-request session (one commit), the current user, role guards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api import queries
from api.errors import Forbidden, Unauthorized
from api.models import Role, User
from api.security import decode_access_token
from api.settings import Settings

TOKEN_URL = "/api/v1/auth/token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session and ONE commit per request: committed when the endpoint returned, rolled back on error.

    Used with ``scope="function"`` so the commit happens before the response
    is sent: a failing commit becomes an error response, never a success
    answer for data that was not written.
    """
    session: Session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_current_user(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> User:
    if not token:
        raise Unauthorized("需要登录令牌 / a bearer token is required")
    claims = decode_access_token(settings, token)
    user = queries.get_user(session, claims[0]) if claims is not None else None
    # A token older than the last password change or deactivation carries an outdated version.
    if user is None or not user.is_active or claims is None or claims[1] != user.token_version:
        raise Unauthorized("令牌无效或已过期 / the token is invalid or expired")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


ROLE_NAMES_ZH: dict[str, tuple[str, str]] = {
    "admin": ("平台管理员", "platform admin"), "coordinator": ("联盟协调员", "alliance coordinator"),
    "enterprise": ("企业填报员", "enterprise clerk"), "guide": ("党建指导员", "guide"),
}


def require_roles(*roles: Role) -> Callable[[User], User]:
    allowed = {r.value for r in roles}
    # People read this message: the roles in words, never their codes.
    names_zh = "、".join(ROLE_NAMES_ZH[r][0] for r in sorted(allowed))
    names_en = ", ".join(ROLE_NAMES_ZH[r][1] for r in sorted(allowed))

    def guard(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden(f"仅限{names_zh}操作 / only a {names_en} may do this")
        return user

    return guard


AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
CoordinatorUser = Annotated[User, Depends(require_roles(Role.COORDINATOR))]
GuideUser = Annotated[User, Depends(require_roles(Role.GUIDE))]
EnterpriseUser = Annotated[User, Depends(require_roles(Role.ENTERPRISE))]
# Who reads plans and proposals in full: the coordinator, the reviewing guide, the operator.
PlannerReader = Annotated[User, Depends(require_roles(Role.ADMIN, Role.COORDINATOR, Role.GUIDE))]
# Who reads the review queue and decision history: guides (their assigned alliances) and the operator.
ReviewReader = Annotated[User, Depends(require_roles(Role.ADMIN, Role.GUIDE))]
ReportWriter = Annotated[User, Depends(require_roles(Role.COORDINATOR, Role.ENTERPRISE))]
MasterDataEditor = Annotated[User, Depends(require_roles(Role.ADMIN, Role.COORDINATOR))]
# Who may spend the machine on a stateless solve (issue 13): the roles that plan, not every clerk.
SolveUser = Annotated[User, Depends(require_roles(Role.ADMIN, Role.COORDINATOR))]

# Row ids in paths: positive and within a 32-bit INTEGER, so a wild number is a 422, never a database error.
MAX_ID = 2_147_483_647
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="id / 编号")]
