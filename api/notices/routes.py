"""Public notice (公示) routes: thin over ``api.notices.service``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from api import queries
from api.deps import CoordinatorUser, CurrentUser, EnterpriseUser, GuideUser, Id, SessionDep
from api.errors import PROBLEM_RESPONSES, not_found
from api.models import Notice, Objection, Role, User
from api.notices import service
from api.notices.schemas import (
    ConsentIn,
    NoticeIn,
    NoticeOut,
    NoticeReviewIn,
    ObjectionAnswerIn,
    ObjectionIn,
    ObjectionOut,
)
from api.notices.sheet import render

router = APIRouter(responses=PROBLEM_RESPONSES, tags=["notices 公示"])


def notice_out(session: Session, notice: Notice, user: User) -> NoticeOut:
    consents = service.consents(session, notice)
    names = {e.id: f"{e.code} {e.name}" for e in queries.list_enterprises(session, notice.round.alliance_id)}
    return NoticeOut(
        id=notice.id, round_id=notice.round_id, round_name=notice.round.name, alliance=notice.round.alliance.name,
        status=notice.status, text=notice.text, notice_days=notice.notice_days,
        review_comment=notice.review_comment, published_at=notice.published_at, ends_at=notice.ends_at,
        open_for_objections=service.in_period(notice), figures=service.current_figures(session, notice),
        consents={} if user.role == Role.ENTERPRISE else consents,
        my_consent=consents.get(user.enterprise_id) if user.enterprise_id is not None else None,
        objections=[ObjectionOut(id=o.id, enterprise_id=o.enterprise_id, enterprise=names.get(o.enterprise_id, ""),
                                 text=o.text, filed_at=o.filed_at, answer=o.answer, answered_at=o.answered_at)
                    for o in service.objections(session, notice)],
    )


@router.get("/rounds/{round_id}/notice", response_model=NoticeOut, summary="本轮公示 / the round's notice")
def round_notice(round_id: Id, user: CurrentUser, session: SessionDep) -> NoticeOut:
    rnd = queries.get_round_for(session, user, round_id)
    notice = service.notice_of(session, rnd.id)
    if notice is None:
        raise not_found("公示 notice of round", round_id)
    return notice_out(session, service.get_notice_for(session, user, notice.id), user)


@router.put("/rounds/{round_id}/notice", response_model=NoticeOut,
            summary="起草或修改公示草稿 / draft or edit the notice")
def draft_notice(round_id: Id, data: NoticeIn, user: CoordinatorUser, session: SessionDep) -> NoticeOut:
    rnd = queries.get_round_for(session, user, round_id)
    return notice_out(session, service.draft(session, user, rnd, data.text, data.notice_days), user)


@router.post("/notices/{notice_id}/consent", response_model=NoticeOut,
             summary="企业是否同意公开其数量与价格 / a firm agrees (or not) to show its quantities and prices")
def give_consent(notice_id: Id, data: ConsentIn, user: EnterpriseUser, session: SessionDep) -> NoticeOut:
    notice = service.get_notice_for(session, user, notice_id)
    service.consent(session, user, notice, data.agreed)
    return notice_out(session, notice, user)


@router.post("/notices/{notice_id}/submit", response_model=NoticeOut, summary="提交指导员审核 / submit for approval")
def submit_notice(notice_id: Id, user: CoordinatorUser, session: SessionDep) -> NoticeOut:
    notice = service.get_notice_for(session, user, notice_id)
    return notice_out(session, service.submit(session, user, notice), user)


@router.post("/notices/{notice_id}/review", response_model=NoticeOut,
             summary="指导员批准（即发布）或驳回 / the guide approves (publishes) or rejects")
def review_notice(notice_id: Id, data: NoticeReviewIn, user: GuideUser, session: SessionDep) -> NoticeOut:
    notice = service.get_notice_for(session, user, notice_id)
    return notice_out(session, service.review(session, user, notice, data.decision, data.comment), user)


@router.post("/notices/{notice_id}/objections", response_model=NoticeOut, status_code=201,
             summary="公示期内提出异议 / file an objection during the notice period")
def file_objection(notice_id: Id, data: ObjectionIn, user: EnterpriseUser, session: SessionDep) -> NoticeOut:
    notice = service.get_notice_for(session, user, notice_id)
    service.object_to(session, user, notice, data.text)
    return notice_out(session, notice, user)


@router.post("/objections/{objection_id}/answer", response_model=NoticeOut,
             summary="协调员答复异议 / the coordinator answers an objection")
def answer_objection(objection_id: Id, data: ObjectionAnswerIn, user: CoordinatorUser,
                     session: SessionDep) -> NoticeOut:
    row = session.get(Objection, objection_id)
    if row is None:
        raise not_found("异议 objection", objection_id)
    notice = service.get_notice_for(session, user, row.notice_id)
    service.answer(session, user, row, data.answer)
    return notice_out(session, notice, user)


@router.get("/notices/{notice_id}/print", response_class=HTMLResponse,
            summary="公示打印版（A4）/ the printable notice (A4)")
def print_notice(notice_id: Id, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    notice = service.get_notice_for(session, user, notice_id)
    out = notice_out(session, notice, user)
    return HTMLResponse(render(out))
