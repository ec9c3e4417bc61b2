from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from api import queries
from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES
from api.schemas import Me, Token, UserOut
from api.services import auth

router = APIRouter(prefix="/auth", tags=["auth 登录"], responses={401: PROBLEM_RESPONSES[401]})


@router.post("/token", response_model=Token, summary="登录取令牌 / log in (OAuth2 password flow)")
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep, settings: SettingsDep) -> Token:
    return Token(access_token=auth.login(session, settings, form.username, form.password))


@router.get("/me", response_model=Me, summary="当前账号 / the current account")
def me(user: CurrentUser, session: SessionDep) -> Me:
    visible = queries.visible_alliance_ids(session, user)
    account = UserOut.model_validate(user).model_dump()
    return Me(**account, alliance_ids=sorted(visible) if visible is not None else [])
