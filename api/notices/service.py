"""The notice's life: draft → submitted → published (or back to draft with the guide's comment).

What a notice shows, computed from the round's records (frozen when the guide approves):

* orders sub-contracted (distinct orders of confirmed sub-contract items), worker-days lent (actually worked,
  from the execution records), units accepted from sub-contracts;
* backlog value cleared and the gain over matching by hand, as the approved plan reported them
  (``figures.after.value_cleared`` and ``manual_baseline.objective_improvement`` of the plan's report);
* the firms taking part (names only);
* an item's quantities and prices only when **both** of its firms agreed (a quantity of one side is a quantity of
  the other), by ``POST /notices/{id}/consent`` while the notice is a draft or awaiting approval.

Published, the notice runs ``notice_days`` (default 5) days; during them any member firm may file an objection,
which the coordinator must answer.  Everything is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import queries
from api.errors import Conflict, Forbidden, InvalidInput, make_field_error, not_found
from api.execution import queries as xq
from api.execution.records import figures
from api.models import (
    Decision,
    ItemKind,
    Notice,
    NoticeConsent,
    NoticeStatus,
    Objection,
    PlanningRound,
    Role,
    User,
    utcnow,
)
from api.notices.schemas import NoticeDetail, NoticeFigures
from api.notifications.service import coordinators_of, members_of, notify, users_of_firms
from api.services import audit

DEFAULT_NOTICE_DAYS = 5


def consents(session: Session, notice: Notice) -> dict[int, bool]:
    rows = session.scalars(select(NoticeConsent).where(NoticeConsent.notice_id == notice.id))
    return {c.enterprise_id: c.agreed for c in rows}


def compute_figures(session: Session, rnd: PlanningRound, agreed: set[int]) -> dict[str, Any]:
    items = xq.confirmed_items(session, rnd.id)
    subs = [i for i in items if i.kind == ItemKind.SUBCONTRACT]
    loans = [i for i in items if i.kind == ItemKind.LOAN]
    actual = {i.id: figures(i, list(xq.records_of(session, i.id))) for i in items}
    approved = queries.list_proposals(session, rnd.id, only_approved=True)
    value_cleared = gain = None
    if approved:
        report = (approved[0].job.plan or {}).get("report") or {}
        value_cleared = ((report.get("figures") or {}).get("after") or {}).get("value_cleared")
        gain = (report.get("manual_baseline") or {}).get("objective_improvement")
    firms = {}
    for i in items:
        for ent in (i.first_party, i.second_party):
            firms[ent.id] = f"{ent.code} {ent.name}"
    details = []
    for i in items:
        if i.first_party_id in agreed and i.second_party_id in agreed:
            fig = actual[i.id]
            details.append(NoticeDetail(
                key=i.key, kind=i.kind, first=firms[i.first_party_id], second=firms[i.second_party_id],
                planned=fig.planned, actual=fig.actual,
                price=i.terms["value_per_unit"] if i.kind == ItemKind.SUBCONTRACT else i.terms["wage_per_day"],
            ))
    # Written through the published model, so the keys a notice stores are the ones its schema declares.
    return NoticeFigures(
        orders_subcontracted=len({i.order_id for i in subs}),
        subcontract_items=len(subs),
        loan_items=len(loans),
        worker_days_lent=sum(actual[i.id].actual for i in loans),
        units_accepted=sum(actual[i.id].actual for i in subs),
        backlog_value_cleared=value_cleared,
        gain_over_hand=gain,
        firms=[firms[k] for k in sorted(firms, key=lambda e: firms[e])],
        details=details,
    ).model_dump(mode="json")


def current_figures(session: Session, notice: Notice) -> dict[str, Any]:
    if notice.figures is not None:
        return notice.figures
    agreed = {e for e, ok in consents(session, notice).items() if ok}
    return compute_figures(session, notice.round, agreed)


def notice_of(session: Session, rnd_id: int) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.round_id == rnd_id))


def get_notice_for(session: Session, user: User, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    visible = notice is not None and queries.can_see_alliance(session, user, notice.round.alliance_id)
    if visible and user.role == Role.ENTERPRISE:
        assert notice is not None
        # Members read a notice once it is published; before, only the firms asked for their consent do.
        visible = notice.status == NoticeStatus.PUBLISHED or user.enterprise_id in _parties(session, notice)
    if notice is None or not visible:
        raise not_found("公示 notice", notice_id)
    return notice


def _parties(session: Session, notice: Notice) -> set[int]:
    return {e for i in xq.confirmed_items(session, notice.round_id) for e in (i.first_party_id, i.second_party_id)}


def draft(session: Session, user: User, rnd: PlanningRound, text: str, notice_days: int) -> Notice:
    notice = notice_of(session, rnd.id)
    before = audit.state(notice) if notice else None
    if notice is None:
        if not xq.confirmed_items(session, rnd.id):
            raise Conflict(f"轮次 {rnd.id} 没有已确认的条目，无可公示 / round {rnd.id} has no confirmed item to "
                           "publish")
        notice = Notice(round_id=rnd.id, created_by=user.id, status=NoticeStatus.DRAFT.value)
        session.add(notice)
    elif notice.status != NoticeStatus.DRAFT:
        raise Conflict(f"公示 {notice.id} 状态为 {notice.status}，不能修改 / notice {notice.id} is {notice.status}; "
                       "only a draft changes")
    notice.text, notice.notice_days = text.strip(), notice_days
    session.flush()
    audit.record(session, user, "notice.draft", "notice", notice.id, before=before, after=audit.state(notice),
                 alliance_id=rnd.alliance_id)
    return notice


def consent(session: Session, user: User, notice: Notice, agreed: bool) -> NoticeConsent:
    if user.role != Role.ENTERPRISE or user.enterprise_id not in _parties(session, notice):
        raise Forbidden("只有参与本轮的企业表态 / only firms taking part in the round give consent")
    if notice.status == NoticeStatus.PUBLISHED:
        raise Conflict("公示已发布，不能再改 / the notice is published; consent no longer changes")
    assert user.enterprise_id is not None
    row = session.get(NoticeConsent, (notice.id, user.enterprise_id))
    if row is None:
        row = NoticeConsent(notice_id=notice.id, enterprise_id=user.enterprise_id, agreed=agreed)
        session.add(row)
    row.agreed, row.decided_by, row.decided_at = agreed, user.id, utcnow()
    session.flush()
    audit.record(session, user, "notice.consent", "notice", notice.id,
                 after={"enterprise_id": user.enterprise_id, "agreed": agreed},
                 alliance_id=notice.round.alliance_id)
    return row


def submit(session: Session, user: User, notice: Notice) -> Notice:
    if notice.status != NoticeStatus.DRAFT:
        raise Conflict(f"公示 {notice.id} 状态为 {notice.status}，不能提交 / notice {notice.id} is {notice.status}")
    if not notice.text.strip():
        # The draft's state, not this request's body, is what is wrong: a conflict, as for a wrong status.
        raise Conflict("公示正文为空，请先写正文再提交 / the draft has no text; write it before submitting")
    notice.status = NoticeStatus.SUBMITTED.value
    audit.record(session, user, "notice.submit", "notice", notice.id, after=audit.state(notice),
                 alliance_id=notice.round.alliance_id)
    return notice


def review(session: Session, guide: User, notice: Notice, decision: str, comment: str,
           now: dt.datetime | None = None) -> Notice:
    if notice.status != NoticeStatus.SUBMITTED:
        raise Conflict(f"公示 {notice.id} 不在待审状态（{notice.status}）/ notice {notice.id} is not awaiting review")
    comment = comment.strip()
    before = audit.state(notice)
    if decision == Decision.REJECT:
        if not comment:
            raise InvalidInput("驳回必须填写意见 / a rejection needs a comment",
                               [make_field_error(["body", "comment"], "必填 / required", "missing", comment)])
        notice.status, notice.review_comment = NoticeStatus.DRAFT.value, comment
    else:
        now = now or utcnow()
        notice.figures = current_figures(session, notice)
        notice.status, notice.review_comment, notice.approved_by = NoticeStatus.PUBLISHED.value, comment, guide.id
        notice.published_at, notice.ends_at = now, now + dt.timedelta(days=notice.notice_days)
    session.flush()
    alliance_id = notice.round.alliance_id
    audit.record(session, guide, f"notice.{'published' if decision == Decision.APPROVE else 'rejected'}", "notice",
                 notice.id, before=before, after=audit.state(notice), alliance_id=alliance_id)
    if decision == Decision.APPROVE:
        notify(session, alliance_id, members_of(session, alliance_id), "notice.published",
               f"{notice.round.name} 结果公示已发布，公示期 {notice.notice_days} 天",
               f"The results of {notice.round.name} are published for {notice.notice_days} days",
               f"/notice?round={notice.round_id}")
    return notice


def objections(session: Session, notice: Notice) -> list[Objection]:
    return list(session.scalars(select(Objection).where(Objection.notice_id == notice.id).order_by(Objection.id)))


def in_period(notice: Notice, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    return notice.status == NoticeStatus.PUBLISHED and notice.ends_at is not None and now < notice.ends_at


def object_to(session: Session, user: User, notice: Notice, text: str, now: dt.datetime | None = None) -> Objection:
    if user.role != Role.ENTERPRISE or user.enterprise is None or \
            user.enterprise.alliance_id != notice.round.alliance_id:
        raise Forbidden("只有联盟成员企业可以提出异议 / only member firms of the alliance file objections")
    if not in_period(notice, now):
        raise Conflict("不在公示期内，不能提出异议 / the notice is not in its notice period")
    text = text.strip()
    if not text:
        raise InvalidInput("异议内容不能为空 / an objection needs a text",
                           [make_field_error(["body", "text"], "必填 / required", "missing", text)])
    assert user.enterprise_id is not None
    row = Objection(notice_id=notice.id, enterprise_id=user.enterprise_id, text=text, filed_by=user.id)
    session.add(row)
    session.flush()
    alliance_id = notice.round.alliance_id
    audit.record(session, user, "objection.file", "objection", row.id, after=audit.state(row), alliance_id=alliance_id)
    notify(session, alliance_id, coordinators_of(session, alliance_id), "objection.filed",
           f"{notice.round.name} 公示收到异议，待您答复", f"An objection to the notice of {notice.round.name} awaits "
           "your answer", f"/notice?round={notice.round_id}")
    return row


def answer(session: Session, user: User, row: Objection, text: str) -> Objection:
    if row.answer is not None:
        raise Conflict(f"异议 {row.id} 已答复 / objection {row.id} is already answered")
    text = text.strip()
    if not text:
        raise InvalidInput("答复不能为空 / an answer needs a text",
                           [make_field_error(["body", "answer"], "必填 / required", "missing", text)])
    before = audit.state(row)
    row.answer, row.answered_by, row.answered_at = text, user.id, utcnow()
    notice = session.get(Notice, row.notice_id)
    assert notice is not None
    audit.record(session, user, "objection.answer", "objection", row.id, before=before, after=audit.state(row),
                 alliance_id=notice.round.alliance_id)
    notify(session, notice.round.alliance_id, users_of_firms(session, [row.enterprise_id]), "objection.answered",
           "您提出的异议已答复", "Your objection has been answered", f"/notice?round={notice.round_id}")
    return row
