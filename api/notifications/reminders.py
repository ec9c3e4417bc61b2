"""Reminders that no single request triggers: "report due" before a round's report deadline (issue 14 item 7).

Every web process runs them on the notification thread (:class:`api.notifications.sender.OutboxSender`).  A
round's reminder is claimed by a conditional update of ``report_reminded_for`` in the transaction that writes
the messages, so of several processes exactly one sends it (PostgreSQL re-checks the condition after the other
process commits; SQLite serialises writers), and a moved deadline is reminded again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import CapacityReport, Enterprise, PlanningRound, RoundStatus, utcnow
from api.notifications.service import notify, users_of_firms

# The county's clock: a clerk reads the deadline in Beijing time.
LOCAL = ZoneInfo("Asia/Shanghai")


def _not_reminded_for(deadline: Any) -> ColumnElement[bool]:
    return or_(PlanningRound.report_reminded_for.is_(None), PlanningRound.report_reminded_for != deadline)


def due_rounds(session: Session, now: dt.datetime, lead: dt.timedelta) -> list[PlanningRound]:
    """Open rounds whose deadline falls in the next ``lead`` and whose reminder has not gone out for it."""
    return list(session.scalars(select(PlanningRound).where(
        PlanningRound.status == RoundStatus.OPEN.value,
        PlanningRound.report_deadline.is_not(None),
        PlanningRound.report_deadline > now,
        PlanningRound.report_deadline <= now + lead,
        _not_reminded_for(PlanningRound.report_deadline),
    ).order_by(PlanningRound.id)))


def firms_without_report(session: Session, rnd: PlanningRound) -> list[int]:
    reported = select(CapacityReport.enterprise_id).where(CapacityReport.round_id == rnd.id)
    return list(session.scalars(select(Enterprise.id).where(
        Enterprise.alliance_id == rnd.alliance_id, Enterprise.id.not_in(reported)).order_by(Enterprise.id)))


def _claim(session: Session, rnd: PlanningRound) -> bool:
    deadline = rnd.report_deadline
    claimed = session.execute(update(PlanningRound).where(
        PlanningRound.id == rnd.id, PlanningRound.report_deadline == deadline, _not_reminded_for(deadline),
    ).values(report_reminded_for=deadline).execution_options(synchronize_session=False))
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def remind_due_reports(session_factory: sessionmaker[Session], lead_hours: float,
                       now: dt.datetime | None = None) -> int:
    """Send "report due" to the clerks of every firm that has not reported; returns how many messages."""
    now = now or utcnow()
    sent = 0
    with session_factory() as session:
        ids = [r.id for r in due_rounds(session, now, dt.timedelta(hours=lead_hours))]
    for round_id in ids:
        with session_factory() as session, session.begin():
            rnd = session.get(PlanningRound, round_id)
            if rnd is None or rnd.report_deadline is None or not _claim(session, rnd):
                continue
            local = rnd.report_deadline.astimezone(LOCAL)
            zh_when = f"{local.month}月{local.day}日 {local:%H:%M}（北京时间）"
            en_when = f"{local.day} {local:%b} {local:%H:%M} Beijing time"
            rows = notify(session, rnd.alliance_id, users_of_firms(session, firms_without_report(session, rnd)),
                          "report.due", f"「{rnd.name}」报表将于 {zh_when} 截止，请尽快填报",
                          f"Reports for “{rnd.name}” close at {en_when}: please submit yours",
                          "/report")
            sent += len(rows)
    return sent
