"""Planning rounds and the firms' capacity reports (every version kept; the latest wins)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api import queries
from api.catalogue import load as load_catalogue
from api.errors import Conflict, InvalidInput, make_field_error
from api.models import Alliance, CapacityReport, Enterprise, PlanningRound, RoundStatus, User, utcnow
from api.schemas import ReportIn, RoundCreate
from api.services import audit, report_files
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
    rnd = PlanningRound(
        alliance_id=alliance.id,
        name=data.name,
        start_date=data.start_date,
        horizon_days=data.horizon_days,
        skills=list(data.skills),
        machines=list(data.machines),
        policy=data.policy.model_dump(mode="json"),
        created_by=actor.id if actor else None,
    )
    session.add(rnd)
    session.flush()
    audit.record(session, actor, "round.create", "round", rnd.id, after=audit.state(rnd), alliance_id=alliance.id)
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
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(f"计划轮次 {rnd.id} 已关闭，不能再修改填报 / round {rnd.id} is closed; reports can no "
                       "longer be changed")
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
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(f"计划轮次 {rnd.id} 已关闭，不能再修改填报 / round {rnd.id} is closed; reports can no "
                       "longer be changed")
    parsed = report_files.read_upload(files, rnd, load_catalogue(session))
    latest = queries.latest_report(session, rnd.id, ent.id)
    payload = report_files.merge(parsed, latest.payload if latest else None)
    report_in = report_files.to_report(parsed, payload)
    members = queries.list_enterprises(session, rnd.alliance_id)
    errors = validate_report(rnd, rnd.alliance, members, ent, report_in.model_dump(mode="json"))
    if errors:
        raise InvalidInput(
            f"导入有 {len(errors)} 处错误 / the import has {len(errors)} error(s)",
            [make_field_error(report_files.locate(parsed, e.loc), e.msg, e.type, e.input) for e in errors],
        )
    kinds = {name.lower().rsplit(".", 1)[-1] for name, _ in files}
    source = "xlsx" if "xlsx" in kinds else "csv"
    return submit_report(session, actor, rnd, ent, report_in, source=source, checked=True), parsed.sheets
