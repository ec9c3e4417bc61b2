"""Bodies of the notice API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=20_000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticeIn(_In):
    text: Text = ""
    notice_days: Annotated[int, Field(ge=1, le=60)] = 5


class ConsentIn(_In):
    agreed: bool


class NoticeReviewIn(_In):
    decision: Literal["approve", "reject"]
    comment: Annotated[str, Field(max_length=4000)] = ""


class ObjectionIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class ObjectionAnswerIn(_In):
    answer: Annotated[str, Field(min_length=1, max_length=4000)]


class ObjectionOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise: str
    text: str
    filed_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None


class NoticeOut(BaseModel):
    id: int
    round_id: int
    round_name: str
    alliance: str
    status: str
    text: str
    notice_days: int
    review_comment: str | None
    published_at: dt.datetime | None
    ends_at: dt.datetime | None
    open_for_objections: bool
    figures: dict[str, Any]
    consents: dict[int, bool] = Field(description="for the coordinator and guide: firm id -> agreed")
    my_consent: bool | None = None
    objections: list[ObjectionOut]
