"""Inbox and webhook routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from alliance.bounds import Flag
from api import queries
from api.deps import CurrentUser, Id, MasterDataEditor, PlannerReader, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.notifications import service

router = APIRouter(responses=PROBLEM_RESPONSES, tags=["notifications 消息"])


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    text_zh: str
    text_en: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxOut(BaseModel):
    unread: int
    messages: list[MessageOut]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The pattern publishes the check that set_webhook makes (http:// or https://, nothing else).
    url: Annotated[str, Field(min_length=8, max_length=1000, json_schema_extra={"pattern": "^https?://"})]
    enabled: Flag = True


class OutboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    payload: dict[str, object]
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    sent_at: dt.datetime | None


@router.get("/me/inbox", response_model=InboxOut, summary="我的消息与未读数 / my inbox and unread count")
def my_inbox(user: CurrentUser, session: SessionDep) -> InboxOut:
    return InboxOut(unread=service.unread(session, user),
                    messages=[MessageOut.model_validate(m) for m in service.inbox(session, user)])


@router.post("/me/inbox/{message_id}/read", response_model=InboxOut, summary="标为已读 / mark one message read")
def read_one(message_id: Id, user: CurrentUser, session: SessionDep) -> InboxOut:
    service.mark_read(session, user, message_id)
    return my_inbox(user, session)


@router.post("/me/inbox/read-all", response_model=InboxOut, summary="全部标为已读 / mark all read")
def read_all(user: CurrentUser, session: SessionDep) -> InboxOut:
    service.mark_read(session, user, None)
    return my_inbox(user, session)


@router.put("/alliances/{alliance_id}/webhook", status_code=204,
            summary="设置联盟工作群机器人网址 / set the alliance's work-chat webhook")
def put_webhook(alliance_id: Id, data: WebhookIn, user: MasterDataEditor, session: SessionDep) -> None:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    service.set_webhook(session, alliance.id, data.url, data.enabled)


@router.get("/alliances/{alliance_id}/outbox", response_model=list[OutboxOut],
            summary="工作群消息发送记录 / webhook deliveries")
def get_outbox(alliance_id: Id, user: PlannerReader, session: SessionDep) -> list[OutboxOut]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    return [OutboxOut.model_validate(m) for m in service.outbox(session, alliance.id)]
