"""Execution views: the plan against the records, for the API and the pages."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.execution import queries as xq
from api.execution.records import LATE_DAYS, answerer_id, figures, recorder_id, state_of
from api.execution.schemas import DayFigure, ExecutionOut, RecordOut
from api.models import ProposalItem, Role, User
from api.proposal_schemas import Party


def execution_out(session: Session, item: ProposalItem, user: User) -> ExecutionOut:
    records = list(xq.records_of(session, item.id))
    execution = xq.execution_of(session, item.id)
    fig = figures(item, records)
    rnd = item.proposal.round
    start = rnd.start_date
    days = sorted(set(fig.planned_by_day) | set(fig.actual_by_day))
    counted = {r.day for r in records if r.status != "disputed"}
    out = ExecutionOut(
        item_id=item.id, round_id=rnd.id, start_date=start, horizon_days=rnd.horizon_days,
        last_day=rnd.horizon_days - 1 + (0 if item.kind == "loan" else LATE_DAYS), kind=item.kind, key=item.key,
        order_id=item.order_id, skill=item.skill,
        first_party=Party.model_validate(item.first_party, from_attributes=True),
        second_party=Party.model_validate(item.second_party, from_attributes=True),
        recorder_id=recorder_id(item), answerer_id=answerer_id(item),
        state=state_of(execution, item, records).value, finished=bool(execution and execution.finished),
        locked=xq.settlement_close(session, item.proposal.round_id) is not None,
        planned=fig.planned, actual=fig.actual, difference=fig.difference, delivered=fig.delivered,
        rejected=fig.rejected, delivered_on_time=fig.delivered_on_time, due_day=fig.due_day,
        days=[DayFigure(day=d, date=start + dt.timedelta(days=d), planned=fig.planned_by_day.get(d, 0),
                        actual=fig.actual_by_day.get(d) if d in counted else None) for d in days],
        records=[RecordOut.model_validate({**_columns(r), "date": start + dt.timedelta(days=r.day)})
                 for r in records],
    )
    if user.role == Role.ENTERPRISE:
        out.my_side = "records" if user.enterprise_id == out.recorder_id else "answers"
    return out


def _columns(record: object) -> dict[str, object]:
    names = ("id", "day", "workers", "delivered", "accepted", "note", "status", "recorded_at", "answered_at",
             "dispute_reason", "claimed", "decision", "decided_at")
    return {n: getattr(record, n) for n in names}
