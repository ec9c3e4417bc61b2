"""Execution records of confirmed items: who records, who answers, and the state of each item.

Lending: the borrower records, per day, how many lent workers actually worked; the lender confirms or
disputes.  Sub-contracting: the owner records, per date, the units received and the units accepted after
its quality check; the maker confirms or disputes.  A dispute carries the other side's figures and a reason;
the coordinator settles it with a written decision that fixes the figures.  The recording side declares the
item finished when nothing more will come; the item is then completed (the plan was met) or short.  Every
change is in the audit log.  Once the round's settlement is closed nothing changes any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from api.errors import Conflict, Forbidden, InvalidInput, make_field_error
from api.execution import queries as xq
from api.models import (
    ExecState,
    ExecutionRecord,
    ItemExecution,
    ItemKind,
    ItemStatus,
    ProposalItem,
    RecordStatus,
    Role,
    User,
    utcnow,
)
from api.notifications.service import coordinators_of, notify, users_of_firms
from api.services import audit

# A late delivery still counts as delivered (late), up to this many days past the round's horizon.
LATE_DAYS = 60
MAX_COUNT = 1_000_000


def recorder_id(item: ProposalItem) -> int:
    """The side that records: the borrower of a loan, the owner of a sub-contract (the side that receives)."""
    return item.second_party_id if item.kind == ItemKind.LOAN else item.first_party_id


def answerer_id(item: ProposalItem) -> int:
    return item.first_party_id if item.kind == ItemKind.LOAN else item.second_party_id


@dataclass
class Figures:
    """The plan against what was done, from the records that count (confirmed, decided, or awaiting an answer;
    a disputed record counts only once the coordinator decided it)."""

    planned: int  # worker-days (loan) or units (sub-contract)
    actual: int  # worker-days worked, or units accepted
    delivered: int = 0
    delivered_on_time: int = 0
    accepted_on_time: int = 0
    rejected: int = 0
    planned_by_day: dict[int, int] = field(default_factory=dict)
    actual_by_day: dict[int, int] = field(default_factory=dict)
    due_day: int | None = None

    @property
    def difference(self) -> int:
        return self.actual - self.planned


def counts(record: ExecutionRecord) -> bool:
    return record.status != RecordStatus.DISPUTED


def figures(item: ProposalItem, records: list[ExecutionRecord]) -> Figures:
    counted = [r for r in records if counts(r)]
    if item.kind == ItemKind.LOAN:
        planned_by_day = {int(r["day"]): int(r["workers"]) for r in item.rows}
        actual_by_day = {r.day: int(r.workers or 0) for r in counted}
        return Figures(planned=sum(planned_by_day.values()), actual=sum(actual_by_day.values()),
                       planned_by_day=planned_by_day, actual_by_day=actual_by_day)
    due = int(item.terms["due_day"])
    produced: dict[int, int] = {}
    for row in item.rows:
        produced[int(row["day"])] = produced.get(int(row["day"]), 0) + int(row["quantity"])
    out = Figures(planned=int(item.terms["units"]), actual=0, planned_by_day=produced, due_day=due)
    for r in counted:
        delivered, accepted = int(r.delivered or 0), int(r.accepted or 0)
        out.delivered += delivered
        out.actual += accepted
        out.rejected += delivered - accepted
        out.actual_by_day[r.day] = accepted
        if r.day <= due:
            out.delivered_on_time += delivered
            out.accepted_on_time += accepted
    return out


def state_of(execution: ItemExecution | None, item: ProposalItem, records: list[ExecutionRecord]) -> ExecState:
    if any(r.status == RecordStatus.DISPUTED for r in records):
        return ExecState.DISPUTED
    if execution is None or not execution.finished:
        return ExecState.IN_PROGRESS
    fig = figures(item, records)
    return ExecState.COMPLETED if fig.actual >= fig.planned else ExecState.SHORT


def _refresh(session: Session, execution: ItemExecution) -> None:
    session.flush()
    records = list(xq.records_of(session, execution.item_id))
    execution.state = state_of(execution, execution.item, records).value
    execution.updated_at = utcnow()


def _ensure_open(session: Session, item: ProposalItem) -> None:
    if item.status != ItemStatus.CONFIRMED:
        raise Conflict(f"条目 {item.id} 未经双方确认，不能记录执行 / item {item.id} is not confirmed by both parties")
    if xq.settlement_close(session, item.proposal.round_id) is not None:
        raise Conflict(f"轮次 {item.proposal.round_id} 已结算关账，执行记录已锁定 / the settlement of round "
                       f"{item.proposal.round_id} is closed; its records are locked")


def _execution(session: Session, item: ProposalItem) -> ItemExecution:
    execution = xq.execution_of(session, item.id)
    if execution is None:
        execution = ItemExecution(item_id=item.id, round_id=item.proposal.round_id,
                                  state=ExecState.IN_PROGRESS.value, finished=False)
        session.add(execution)
        session.flush()
    return execution


def _count(name: str, value: int | None, loc: list[str | int], required: bool = True) -> int | None:
    if value is None:
        if required:
            raise InvalidInput(f"缺少 {name} / {name} is required",
                               [make_field_error(loc, f"必填 / required for this item ({name})", "wrong_kind", None)])
        return None
    if not 0 <= value <= MAX_COUNT:
        raise InvalidInput(f"{name} 超出范围 / {name} out of range",
                           [make_field_error(loc, f"须在 0..{MAX_COUNT} 之间 / must be 0..{MAX_COUNT}",
                                             "value_error", value)])
    return value


def _figures_in(item: ProposalItem, workers: int | None, delivered: int | None, accepted: int | None,
                prefix: list[str | int]) -> dict[str, int | None]:
    """The figures a record of this item takes, checked: workers for a loan; delivered >= accepted otherwise."""
    if item.kind == ItemKind.LOAN:
        for name, value in (("delivered", delivered), ("accepted", accepted)):
            if value is not None:
                raise InvalidInput(f"帮工条目不记录 {name} / a loan records workers, not {name}",
                                   [make_field_error([*prefix, name], "帮工只记人数 / loans record workers only",
                                                     "wrong_kind", value)])
        return {"workers": _count("workers", workers, [*prefix, "workers"])}
    if workers is not None:
        raise InvalidInput("委托加工条目不记录人数 / a sub-contract records units, not workers",
                           [make_field_error([*prefix, "workers"], "委托加工只记件数 / sub-contracts record units",
                                             "wrong_kind", workers)])
    d = _count("delivered", delivered, [*prefix, "delivered"])
    a = _count("accepted", accepted, [*prefix, "accepted"])
    assert d is not None and a is not None
    if a > d:
        raise InvalidInput(f"合格件数 {a} 大于送达件数 {d} / accepted {a} exceeds delivered {d}",
                           [make_field_error([*prefix, "accepted"], f"不能大于送达件数 {d} / at most delivered ({d})",
                                             "accepted_exceeds_delivered", a)])
    return {"delivered": d, "accepted": a}


def _check_day(item: ProposalItem, day: int) -> None:
    horizon = item.proposal.round.horizon_days
    last = horizon - 1 if item.kind == ItemKind.LOAN else horizon - 1 + LATE_DAYS
    if not 0 <= day <= last:
        what = "帮工只在计划期内 / loans happen within the horizon" if item.kind == ItemKind.LOAN else \
            f"交付日最迟为计划期后 {LATE_DAYS} 天 / deliveries up to {LATE_DAYS} days past the horizon"
        raise InvalidInput(f"第 {day} 天不在 0..{last} 之内 / day {day} is outside 0..{last}",
                           [make_field_error(["body", "day"], what, "outside_horizon", day)])


def _record_state(record: ExecutionRecord) -> dict[str, Any]:
    return audit.state(record)


def record(session: Session, user: User, item: ProposalItem, day: int, workers: int | None, delivered: int | None,
           accepted: int | None, note: str) -> ExecutionRecord:
    """Enter (or correct, while unanswered or disputed) the figures of one day."""
    if user.role != Role.ENTERPRISE or user.enterprise_id != recorder_id(item):
        side = "借入方" if item.kind == ItemKind.LOAN else "委托方"
        side_en = "borrower" if item.kind == ItemKind.LOAN else "ordering firm"
        raise Forbidden(f"只有{side}记录执行 / only the {side_en} records execution")
    _ensure_open(session, item)
    _check_day(item, day)
    values = _figures_in(item, workers, delivered, accepted, ["body"])
    execution = _execution(session, item)
    if execution.finished:
        raise Conflict(f"条目 {item.id} 已标记执行完毕 / item {item.id} is marked finished")
    existing = xq.record_on(session, item.id, day)
    before = _record_state(existing) if existing else None
    if existing is None:
        existing = ExecutionRecord(item_id=item.id, day=day)
        session.add(existing)
    elif existing.status in (RecordStatus.CONFIRMED, RecordStatus.RESOLVED):
        raise Conflict(f"第 {day} 天的记录已{'确认' if existing.status == RecordStatus.CONFIRMED else '裁定'}，不能再改"
                       f" / the record of day {day} is already {existing.status}")
    for name, value in values.items():
        setattr(existing, name, value)
    # A correction goes back to the other side: the dispute it answers stays in the audit log.
    existing.note, existing.status = note.strip(), RecordStatus.RECORDED.value
    existing.recorded_by, existing.recorded_at = user.id, utcnow()
    existing.answered_by = existing.answered_at = existing.dispute_reason = existing.claimed = None
    session.flush()
    _refresh(session, execution)
    alliance_id = item.proposal.round.alliance_id
    audit.record(session, user, "execution.record", "execution_record", existing.id, before=before,
                 after=_record_state(existing), alliance_id=alliance_id)
    notify(session, alliance_id, users_of_firms(session, [answerer_id(item)]), "execution.to_confirm",
           f"{item.key} 第 {day} 天的执行记录待您确认", f"The record of day {day} of {item.key} awaits your answer",
           "/execution")
    return existing


def answer(session: Session, user: User, rec: ExecutionRecord, item: ProposalItem, confirm: bool, reason: str,
           workers: int | None, delivered: int | None, accepted: int | None) -> ExecutionRecord:
    """The other side: confirm the figures, or dispute them with its own figures and a reason."""
    if user.role != Role.ENTERPRISE or user.enterprise_id != answerer_id(item):
        side = "出借方" if item.kind == ItemKind.LOAN else "加工方"
        side_en = "lender" if item.kind == ItemKind.LOAN else "producing firm"
        raise Forbidden(f"只有{side}确认或提出异议 / only the {side_en} confirms or disputes")
    _ensure_open(session, item)
    if rec.status != RecordStatus.RECORDED:
        raise Conflict(f"记录 {rec.id} 状态为 {rec.status}，不待答复 / record {rec.id} is {rec.status}, "
                       "not awaiting an answer")
    before = _record_state(rec)
    reason = reason.strip()
    if confirm:
        rec.status = RecordStatus.CONFIRMED.value
    else:
        if not reason:
            raise InvalidInput("提出异议须说明原因 / a dispute needs a reason",
                               [make_field_error(["body", "reason"], "必填 / required when disputing", "missing",
                                                 reason)])
        rec.status, rec.dispute_reason = RecordStatus.DISPUTED.value, reason
        rec.claimed = _figures_in(item, workers, delivered, accepted, ["body"])
    rec.answered_by, rec.answered_at = user.id, utcnow()
    execution = _execution(session, item)
    _refresh(session, execution)
    alliance_id = item.proposal.round.alliance_id
    audit.record(session, user, "execution.confirm" if confirm else "execution.dispute", "execution_record", rec.id,
                 before=before, after=_record_state(rec), alliance_id=alliance_id)
    if not confirm:
        notify(session, alliance_id, coordinators_of(session, alliance_id), "execution.disputed",
               f"{item.key} 第 {rec.day} 天的记录有争议，待您裁定", f"Day {rec.day} of {item.key} is disputed: "
               "your decision is needed", f"/execution?round={item.proposal.round_id}")
    return rec


def resolve(session: Session, user: User, rec: ExecutionRecord, item: ProposalItem, decision: str,
            workers: int | None, delivered: int | None, accepted: int | None) -> ExecutionRecord:
    """The coordinator settles a dispute: a written decision and the figures that count from now on."""
    if user.role != Role.COORDINATOR:
        raise Forbidden("只有协调员裁定争议 / only the coordinator settles a dispute")
    _ensure_open(session, item)
    if rec.status != RecordStatus.DISPUTED:
        raise Conflict(f"记录 {rec.id} 没有争议（{rec.status}）/ record {rec.id} is not disputed ({rec.status})")
    decision = decision.strip()
    if not decision:
        raise InvalidInput("裁定须写明理由 / a decision must be written",
                           [make_field_error(["body", "decision"], "必填 / required", "missing", decision)])
    values = _figures_in(item, workers, delivered, accepted, ["body"])
    before = _record_state(rec)
    for name, value in values.items():
        setattr(rec, name, value)
    rec.status, rec.decision = RecordStatus.RESOLVED.value, decision
    rec.decided_by, rec.decided_at = user.id, utcnow()
    execution = _execution(session, item)
    _refresh(session, execution)
    audit.record(session, user, "execution.resolve", "execution_record", rec.id, before=before,
                 after=_record_state(rec), alliance_id=item.proposal.round.alliance_id)
    return rec


def finish(session: Session, user: User, item: ProposalItem) -> ItemExecution:
    """Nothing more will be recorded: the item becomes completed or short (or stays disputed until decided)."""
    allowed = (user.role == Role.ENTERPRISE and user.enterprise_id == recorder_id(item)) or \
        user.role == Role.COORDINATOR
    if not allowed:
        raise Forbidden("只有记录方或协调员可标记执行完毕 / only the recording firm or the coordinator marks an item "
                        "finished")
    _ensure_open(session, item)
    execution = _execution(session, item)
    if execution.finished:
        raise Conflict(f"条目 {item.id} 已标记执行完毕 / item {item.id} is already finished")
    before = audit.state(execution)
    execution.finished, execution.finished_by, execution.finished_at = True, user.id, utcnow()
    _refresh(session, execution)
    alliance_id = item.proposal.round.alliance_id
    audit.record(session, user, "execution.finish", "item_execution", item.id, before=before,
                 after=audit.state(execution), alliance_id=alliance_id)
    notify(session, alliance_id, users_of_firms(session, [item.first_party_id, item.second_party_id]),
           "rating.to_give", f"{item.key} 已执行完毕，请评议对方", f"{item.key} is finished: rate the other side",
           "/execution")
    return execution
