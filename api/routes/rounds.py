"""Planning rounds and capacity reports."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from alliance.scenario import Scenario
from api import queries
from api.catalogue import load as load_catalogue
from api.deps import CoordinatorUser, CurrentUser, Id, PlannerReader, ReportWriter, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, PayloadTooLarge, not_found
from api.models import CapacityReport, PlanningRound, Role, User
from api.routes.documents import CSV, XLSX, attachment
from api.schemas import (
    DeadlineIn,
    EnterpriseBrief,
    ImportResult,
    ReportIn,
    ReportOut,
    ReportStatus,
    ReportVersionOut,
    RoundCreate,
    RoundOut,
)
from api.services import lifecycle, planning, report_templates, rounds

router = APIRouter(tags=["rounds 计划轮次"], responses=PROBLEM_RESPONSES)


def round_out(session: Session, rnd: PlanningRound) -> RoundOut:
    out = RoundOut.model_validate(rnd)
    out.plan_state = lifecycle.round_plan_state(session, rnd)
    out.reports_locked = rounds.reports_locked(rnd)
    return out


def report_out(report: CapacityReport) -> ReportOut:
    return ReportOut(
        id=report.id, round_id=report.round_id, enterprise_id=report.enterprise_id,
        enterprise_code=report.enterprise.code, version=report.version, payload=report.payload,
        source=report.source, submitted_by=report.submitted_by, created_at=report.created_at,
    )


@router.post("/alliances/{alliance_id}/rounds", response_model=RoundOut, status_code=status.HTTP_201_CREATED,
             summary="开启计划轮次 / open a planning round")
def create_round(alliance_id: Id, data: RoundCreate, actor: CoordinatorUser, session: SessionDep) -> RoundOut:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    return round_out(session, rounds.create_round(session, actor, alliance, data))


@router.get("/alliances/{alliance_id}/rounds", response_model=list[RoundOut], summary="计划轮次列表 / list rounds")
def list_rounds(alliance_id: Id, user: CurrentUser, session: SessionDep) -> list[RoundOut]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    return [round_out(session, r) for r in queries.list_rounds(session, alliance.id)]


@router.get("/rounds/{round_id}", response_model=RoundOut, summary="计划轮次 / one round")
def get_round(round_id: Id, user: CurrentUser, session: SessionDep) -> RoundOut:
    return round_out(session, queries.get_round_for(session, user, round_id))


@router.post("/rounds/{round_id}/close", response_model=RoundOut,
             summary="关闭填报 / close the round for reports")
def close_round(round_id: Id, actor: CoordinatorUser, session: SessionDep) -> RoundOut:
    rnd = queries.get_round_for(session, actor, round_id)
    return round_out(session, rounds.close_round(session, actor, rnd))


@router.put("/rounds/{round_id}/report-deadline", response_model=RoundOut,
            summary="设定、推迟或取消填报截止时间（推迟或取消即重新开放）/ set, move or clear the reporting deadline "
            "(moving it later or clearing it reopens reports)")
def set_deadline(round_id: Id, data: DeadlineIn, actor: CoordinatorUser, session: SessionDep) -> RoundOut:
    rnd = queries.get_round_for(session, actor, round_id)
    return round_out(session, rounds.set_deadline(session, actor, rnd, data.report_deadline))


@router.get("/rounds/{round_id}/reports", response_model=list[ReportStatus],
            summary="各企业填报情况（企业只见自己）/ who reported (a firm sees only itself)")
def report_status(round_id: Id, user: CurrentUser, session: SessionDep) -> list[ReportStatus]:
    rnd = queries.get_round_for(session, user, round_id)
    members = queries.list_enterprises(session, rnd.alliance_id)
    if user.role == Role.ENTERPRISE:
        members = [e for e in members if e.id == user.enterprise_id]
    counts = queries.report_counts(session, rnd.id)
    out = []
    for ent in members:
        latest = queries.latest_report(session, rnd.id, ent.id) if counts.get(ent.id) else None
        out.append(ReportStatus(
            enterprise=EnterpriseBrief.model_validate(ent), latest_version=latest.version if latest else None,
            versions=counts.get(ent.id, 0), submitted_at=latest.created_at if latest else None,
        ))
    return out


@router.put("/rounds/{round_id}/reports/{enterprise_id}", response_model=ReportOut,
            status_code=status.HTTP_201_CREATED,
            summary="提交或更正填报（生成新版本）/ submit or correct a report (a new version)")
def submit_report(
    round_id: Id, enterprise_id: Id, data: ReportIn, actor: ReportWriter, session: SessionDep
) -> ReportOut:
    rnd, ent = queries.report_target_for(session, actor, round_id, enterprise_id)
    return report_out(rounds.submit_report(session, actor, rnd, ent, data))


@router.post("/rounds/{round_id}/reports/{enterprise_id}/validate", status_code=status.HTTP_204_NO_CONTENT,
             summary="只校验不保存 / check a report without saving it")
def validate_report(round_id: Id, enterprise_id: Id, data: ReportIn, actor: ReportWriter,
                    session: SessionDep) -> None:
    rnd, ent = queries.report_target_for(session, actor, round_id, enterprise_id)
    rounds.check_report(session, rnd, ent, data.model_dump(mode="json"))


@router.get("/rounds/{round_id}/reports/{enterprise_id}", response_model=ReportOut,
            summary="最新填报 / the latest report")
def latest_report(round_id: Id, enterprise_id: Id, user: CurrentUser, session: SessionDep) -> ReportOut:
    rnd, ent = queries.report_target_for(session, user, round_id, enterprise_id)
    report = queries.latest_report(session, rnd.id, ent.id)
    if report is None:
        raise not_found("填报 report", f"{round_id}/{enterprise_id}")
    return report_out(report)


@router.get("/rounds/{round_id}/reports/{enterprise_id}/versions", response_model=list[ReportVersionOut],
            summary="填报的全部版本 / every version of a report")
def report_versions(round_id: Id, enterprise_id: Id, user: CurrentUser, session: SessionDep) -> list[ReportVersionOut]:
    rnd, ent = queries.report_target_for(session, user, round_id, enterprise_id)
    return [ReportVersionOut.model_validate(r) for r in queries.report_versions(session, rnd.id, ent.id)]


@router.get("/rounds/{round_id}/reports/{enterprise_id}/versions/{version}", response_model=ReportOut,
            summary="填报的某一版本 / one version of a report")
def report_version(round_id: Id, enterprise_id: Id, version: Id, user: CurrentUser,
                   session: SessionDep) -> ReportOut:
    rnd, ent = queries.report_target_for(session, user, round_id, enterprise_id)
    report = queries.report_version(session, rnd.id, ent.id, version)
    if report is None:
        raise not_found("填报版本 report version", f"{round_id}/{enterprise_id}/{version}")
    return report_out(report)


@router.get("/rounds/{round_id}/reports/{enterprise_id}/template", response_class=Response,
            responses={200: {"content": {XLSX: {}, "text/csv": {}}, "description": "模板文件 / the template"}},
            summary="填报模板（已填入最新填报）/ report template, filled with the latest report")
def report_template(
    round_id: Id, enterprise_id: Id, user: CurrentUser, session: SessionDep,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    sheet: Annotated[Literal["workers", "machines", "orders", "blocked"], Query(description="csv only")] = "workers",
) -> Response:
    rnd, ent = queries.report_target_for(session, user, round_id, enterprise_id)
    latest = queries.latest_report(session, rnd.id, ent.id)
    members = queries.list_enterprises(session, rnd.alliance_id)
    payload = latest.payload if latest else None
    if format == "csv":
        catalogue = load_catalogue(session)
        return Response(report_templates.template_csv(rnd, payload, members, sheet, catalogue), media_type=CSV,
                        headers=attachment(f"report-{rnd.id}-{ent.code}-{sheet}.csv"))
    xlsx = report_templates.template_xlsx(rnd, ent, payload, members, load_catalogue(session))
    return Response(xlsx, media_type=XLSX,
                    headers=attachment(f"report-{rnd.id}-{ent.code}.xlsx"))


@router.post("/rounds/{round_id}/reports/{enterprise_id}/import", response_model=ImportResult,
             status_code=status.HTTP_201_CREATED,
             summary="从 xlsx/csv 导入填报（新版本）/ import a report from .xlsx or .csv files (a new version)")
async def import_report(
    round_id: Id, enterprise_id: Id,
    files: Annotated[list[UploadFile], File(description=".xlsx or .csv", min_length=1)],
    actor: ReportWriter, session: SessionDep, settings: SettingsDep,
) -> ImportResult:
    uploads = []
    for upload in files:
        data = await upload.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise PayloadTooLarge(f"文件 {upload.filename} 超过 {settings.max_upload_bytes} 字节 / file "
                                  f"{upload.filename} is larger than {settings.max_upload_bytes} bytes")
        uploads.append((upload.filename or "upload", data))
    # The parsing and the database work are blocking: off the event loop.
    return await run_in_threadpool(_import, session, actor, round_id, enterprise_id, uploads)


def _import(session: Session, actor: User, round_id: int, enterprise_id: int,
            uploads: list[tuple[str, bytes]]) -> ImportResult:
    rnd, ent = queries.report_target_for(session, actor, round_id, enterprise_id)
    report, sheets = rounds.import_report(session, actor, rnd, ent, uploads)
    return ImportResult(report=report_out(report), sheets=sheets)


@router.get("/rounds/{round_id}/scenario", response_model=Scenario, response_model_exclude_none=True,
            summary="由最新填报汇总的场景（预览）/ the scenario assembled from the latest reports (preview)")
def scenario_preview(round_id: Id, user: PlannerReader, session: SessionDep) -> dict[str, Any]:
    rnd = queries.get_round_for(session, user, round_id)
    _, data = planning.assemble(session, rnd)
    return data
