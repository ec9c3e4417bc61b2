"""Planning rounds and the firms' capacity reports (every version kept; the latest wins)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api import queries
from api.catalogue import load as load_catalogue
from api.errors import Conflict, InvalidInput, make_field_error
from api.models import Alliance, CapacityReport, Enterprise, PlanningRound, RoundStatus, User, utcnow
from api.schemas import ReportIn, RoundCreate
from api.services import audit, policies, report_files, upload_reading
from api.services.scenarios import validate_report


def create_round(session: Session, actor: User | None, alliance: Alliance, data: RoundCreate) -> PlanningRound:
    errors = []
    for field in ("skills", "machines"):
        codes: list[str] = getattr(data, field)
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            # The codes in both halves: a page shows one half only.
            listed = ", ".join(dup)
            errors.append(make_field_error(["body", field], f"代码重复：{listed} / duplicate code(s): {listed}",
                                           "duplicate", dup))
    if errors:
        raise InvalidInput("计划轮次设置无效 / invalid round settings", errors)
    policy, sources = policies.resolve_round_policy(alliance, data.policy)
    rnd = PlanningRound(
        alliance_id=alliance.id,
        name=data.name,
        start_date=data.start_date,
        horizon_days=data.horizon_days,
        skills=list(data.skills),
        machines=list(data.machines),
        policy=policy,
        policy_sources=sources,
        report_deadline=data.report_deadline,
        created_by=actor.id if actor else None,
    )
    session.add(rnd)
    session.flush()
    audit.record(session, actor, "round.create", "round", rnd.id, after=audit.state(rnd), alliance_id=alliance.id)
    return rnd


def reports_locked(rnd: PlanningRound) -> bool:
    """Past the round's reporting deadline: reports are locked until the coordinator moves or clears it."""
    return rnd.report_deadline is not None and utcnow() >= rnd.report_deadline


CHINA = dt.timezone(dt.timedelta(hours=8), "北京时间")


def _deadline_words(at: dt.datetime) -> tuple[str, str]:
    return (at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") + "（北京时间）",
            at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))


def check_open_for_reports(rnd: PlanningRound) -> None:
    """409 when the round is closed or past its reporting deadline, naming the deadline."""
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(f"计划轮次 {rnd.id} 已关闭，不能再修改填报 / round {rnd.id} is closed; reports can no "
                       "longer be changed")
    if reports_locked(rnd):
        assert rnd.report_deadline is not None
        zh, en = _deadline_words(rnd.report_deadline)
        raise Conflict(f"填报已于 {zh} 截止并锁定，如需修改请联系协调员重新开放 / reporting closed at {en}; reports "
                       "are locked until the coordinator reopens them")


def set_deadline(session: Session, actor: User, rnd: PlanningRound, deadline: dt.datetime | None) -> PlanningRound:
    """Set, move or clear the reporting deadline; a later or no deadline reopens locked reports."""
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(f"计划轮次 {rnd.id} 已关闭 / round {rnd.id} is closed")
    before = audit.state(rnd)
    rnd.report_deadline = deadline
    session.flush()
    audit.record(session, actor, "round.deadline", "round", rnd.id, before=before, after=audit.state(rnd),
                 alliance_id=rnd.alliance_id)
    return rnd


def close_round(session: Session, actor: User, rnd: PlanningRound) -> PlanningRound:
    if rnd.status == RoundStatus.CLOSED:
        raise Conflict(f"计划轮次 {rnd.id} 已关闭 / round {rnd.id} is already closed")
    before = audit.state(rnd)
    rnd.status = RoundStatus.CLOSED.value
    rnd.closed_at = utcnow()
    audit.record(session, actor, "round.close", "round", rnd.id, before=before, after=audit.state(rnd),
                 alliance_id=rnd.alliance_id)
    return rnd


def check_report(session: Session, rnd: PlanningRound, ent: Enterprise, payload: dict[str, Any]) -> None:
    """Raise 422 with report paths when the domain rules reject the report."""
    members = queries.list_enterprises(session, rnd.alliance_id)
    errors = validate_report(rnd, rnd.alliance, members, ent, payload)
    if errors:
        raise InvalidInput(
            f"产能填报有 {len(errors)} 处错误 / the report has {len(errors)} error(s)",
            [make_field_error(["body", *e.loc], e.msg, e.type, e.input) for e in errors],
        )


def submit_report(
    session: Session, actor: User | None, rnd: PlanningRound, ent: Enterprise, data: ReportIn, source: str = "json",
    checked: bool = False,
) -> CapacityReport:
    check_open_for_reports(rnd)
    payload = data.model_dump(mode="json")
    if not checked:
        check_report(session, rnd, ent, payload)
    latest = queries.latest_report(session, rnd.id, ent.id)
    report = CapacityReport(
        round_id=rnd.id,
        enterprise_id=ent.id,
        version=(latest.version + 1) if latest else 1,
        payload=payload,
        source=source,
        submitted_by=actor.id if actor else None,
    )
    session.add(report)
    session.flush()
    audit.record(
        session, actor, "report.submit", "capacity_report", report.id,
        before={"version": latest.version, "payload": latest.payload} if latest else None,
        after={"round_id": rnd.id, "enterprise_id": ent.id, "version": report.version, "source": source,
               "payload": payload},
        alliance_id=rnd.alliance_id,
    )
    return report


def import_report(
    session: Session, actor: User, rnd: PlanningRound, ent: Enterprise, files: list[tuple[str, bytes]]
) -> tuple[CapacityReport, list[str]]:
    """A new report version from uploaded .xlsx/.csv files; errors name sheet, row, column and value."""
    check_open_for_reports(rnd)
    parsed = report_files.read_upload(files, rnd, load_catalogue(session))
    latest = queries.latest_report(session, rnd.id, ent.id)
    payload = report_files.merge(parsed, latest.payload if latest else None)
    report_in = report_files.to_report(parsed, payload)
    members = queries.list_enterprises(session, rnd.alliance_id)
    errors = validate_report(rnd, rnd.alliance, members, ent, report_in.model_dump(mode="json"))
    if errors:
        located = [(report_files.locate(parsed, e.loc), e) for e in errors]
        raise InvalidInput(
            f"导入有 {len(errors)} 处错误 / the import has {len(errors)} error(s)",
            [make_field_error(loc, e.msg, e.type, e.input, where=upload_reading.describe(loc)) for loc, e in located],
        )
    kinds = {name.lower().rsplit(".", 1)[-1] for name, _ in files}
    source = "xlsx" if "xlsx" in kinds else "csv"
    return submit_report(session, actor, rnd, ent, report_in, source=source, checked=True), parsed.sheets
