from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordRequestForm

from api import queries
from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, TooManyRequests, Unauthorized
from api.pools import BoundedPool
from api.schemas import Me, Token, UserOut
from api.security import create_access_token, verify_password
from api.services import auth
from api.throttle import LoginThrottle

router = APIRouter(prefix="/auth", tags=["auth 登录"], responses={401: PROBLEM_RESPONSES[401]})


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/token", response_model=Token, summary="登录取令牌 / log in (OAuth2 password flow)",
             responses={429: {"description": "登录失败次数过多 / too many failed sign-ins (Retry-After)"},
                        503: {"description": "登录繁忙 / sign-in busy (Retry-After)"}})
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], settings: SettingsDep,
                request: Request) -> Token:
    # Async, so that a flood of logins waits on the hashing pool without holding the request threads; the
    # database and the throttle store (Redis is a network call) are reached from worker threads, each in a
    # short session of its own: no database connection is held while the password is hashed.
    throttle: LoginThrottle = request.app.state.throttle
    hashing: BoundedPool = request.app.state.hash_pool
    address = _address(request)
    verdict = await run_in_threadpool(throttle.check, form.username, address)
    if not verdict.allowed:
        await run_in_threadpool(_throttled, request, form.username, address, verdict.scope, verdict.retry_after)
        raise TooManyRequests(auth.throttled_message(verdict.retry_after), verdict.retry_after)
    account = await run_in_threadpool(_lookup, request, form.username)
    good = await hashing.run(verify_password, form.password, account[1] if account else None)
    if not good or account is None or not account[2]:
        await run_in_threadpool(throttle.failed, form.username, address)
        raise Unauthorized(auth.WRONG_LOGIN)
    await run_in_threadpool(throttle.succeeded, form.username)
    return Token(access_token=create_access_token(settings, account[0], account[3]))


def _lookup(request: Request, username: str) -> tuple[int, str, bool, int] | None:
    with request.app.state.session_factory() as session:
        return auth.lookup(session, username)


def _throttled(request: Request, username: str, address: str, scope: str, retry_after: int) -> None:
    with request.app.state.session_factory() as session:
        auth.record_throttled(session, username, address, scope, retry_after)
        session.commit()


@router.get("/me", response_model=Me, summary="当前账号 / the current account")
def me(user: CurrentUser, session: SessionDep) -> Me:
    visible = queries.visible_alliance_ids(session, user)
    account = UserOut.model_validate(user).model_dump()
    return Me(**account, alliance_ids=sorted(visible) if visible is not None else [])
