"""Execution records and settlement from actuals (issue 14): thin routes over ``records`` and ``settlement``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api import queries
from api.deps import MAX_ID, CoordinatorUser, CurrentUser, EnterpriseUser, Id, PlannerReader, SessionDep
from api.errors import PROBLEM_RESPONSES, not_found
from api.execution import documents, outcomes, ratings, records, settlement
from api.execution import queries as xq
from api.execution.schemas import (
    AnswerIn,
    ExecutionOut,
    OutcomesOut,
    RatingIn,
    RatingOut,
    RecordIn,
    ReliabilityOut,
    ResolveIn,
    SettlementOut,
)
from api.execution.views import execution_out
from api.models import Role, User

router = APIRouter(responses=PROBLEM_RESPONSES)
TAG = "execution 执行与结算"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _firm_filter(user: User) -> int | None:
    return user.enterprise_id if user.role == Role.ENTERPRISE else None


@router.get("/rounds/{round_id}/execution", response_model=list[ExecutionOut], tags=[TAG],
            summary="本轮已确认条目的执行情况（企业只见自己的）/ execution of the round's confirmed items (a firm: "
            "its own)")
def round_execution(round_id: Id, user: CurrentUser, session: SessionDep) -> list[ExecutionOut]:
    rnd = queries.get_round_for(session, user, round_id)
    return [execution_out(session, i, user) for i in xq.confirmed_items(session, rnd.id, _firm_filter(user))]


@router.get("/me/execution", response_model=list[ExecutionOut], tags=[TAG],
            summary="本企业各轮已确认条目的执行 / my firm's confirmed items, every open round")
def my_execution(user: EnterpriseUser, session: SessionDep) -> list[ExecutionOut]:
    assert user.enterprise is not None
    out = []
    for rnd in queries.list_rounds(session, user.enterprise.alliance_id):
        out += [execution_out(session, i, user) for i in xq.confirmed_items(session, rnd.id, user.enterprise_id)]
    return out


@router.get("/items/{item_id}/execution", response_model=ExecutionOut, tags=[TAG],
            summary="一个条目的执行与计划对比 / one item: records against the plan")
def item_execution(item_id: Id, user: CurrentUser, session: SessionDep) -> ExecutionOut:
    return execution_out(session, xq.confirmed_item_for(session, user, item_id), user)


@router.post("/items/{item_id}/execution/records", response_model=ExecutionOut, tags=[TAG],
             summary="记录一天的执行（借入方记人数；委托方记送达与合格件数）/ record one day (borrower: workers; "
             "ordering firm: units delivered and accepted)")
def add_record(item_id: Id, data: RecordIn, user: EnterpriseUser, session: SessionDep) -> ExecutionOut:
    item = xq.confirmed_item_for(session, user, item_id)
    records.record(session, user, item, data.day, data.workers, data.delivered, data.accepted, data.note)
    return execution_out(session, item, user)


@router.post("/execution/records/{record_id}/answer", response_model=ExecutionOut, tags=[TAG],
             summary="对方确认或提出异议（须说明原因与己方数字）/ the other side confirms, or disputes with a reason "
             "and its figures")
def answer_record(record_id: Id, data: AnswerIn, user: EnterpriseUser, session: SessionDep) -> ExecutionOut:
    rec, item = xq.get_record_for(session, user, record_id)
    records.answer(session, user, rec, item, data.answer == "confirm", data.reason, data.workers, data.delivered,
                   data.accepted)
    return execution_out(session, item, user)


@router.post("/execution/records/{record_id}/resolve", response_model=ExecutionOut, tags=[TAG],
             summary="协调员书面裁定争议 / the coordinator settles a dispute in writing")
def resolve_record(record_id: Id, data: ResolveIn, user: CoordinatorUser, session: SessionDep) -> ExecutionOut:
    rec, item = xq.get_record_for(session, user, record_id)
    records.resolve(session, user, rec, item, data.decision, data.workers, data.delivered, data.accepted)
    return execution_out(session, item, user)


@router.post("/items/{item_id}/execution/finish", response_model=ExecutionOut, tags=[TAG],
             summary="标记执行完毕（完成或不足）/ mark the item finished (completed or short)")
def finish_item(item_id: Id, user: CurrentUser, session: SessionDep) -> ExecutionOut:
    item = xq.confirmed_item_for(session, user, item_id)
    records.finish(session, user, item)
    return execution_out(session, item, user)


@router.get("/rounds/{round_id}/settlement", response_model=SettlementOut, tags=[TAG],
            summary="按实际结算（企业只见自己的明细）/ settlement from actuals (a firm: its own lines only)")
def round_settlement(round_id: Id, user: CurrentUser, session: SessionDep) -> SettlementOut:
    rnd = queries.get_round_for(session, user, round_id)
    return SettlementOut.model_validate(settlement.as_dict(settlement.compute(session, rnd, _firm_filter(user))))


@router.post("/rounds/{round_id}/settlement/close", response_model=SettlementOut, tags=[TAG],
             summary="结算关账，锁定本轮执行记录 / close the settlement and lock the round's records")
def close_settlement(round_id: Id, user: CoordinatorUser, session: SessionDep) -> SettlementOut:
    rnd = queries.get_round_for(session, user, round_id)
    settlement.close(session, user, rnd)
    return SettlementOut.model_validate(settlement.as_dict(settlement.compute(session, rnd)))


@router.get("/rounds/{round_id}/settlement/export", tags=[TAG], response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "结算表 / the workbook"}},
            summary="结算 Excel（全轮，或 ?enterprise= 某企业；企业只能导出自己的）/ settlement workbook (round, or "
            "one firm; a firm exports its own)")
def export_settlement(
    round_id: Id, user: CurrentUser, session: SessionDep,
    enterprise: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    rnd = queries.get_round_for(session, user, round_id)
    firm_id = _firm_filter(user) or enterprise
    firm_name = None
    if firm_id is not None:
        _, ent = queries.report_target_for(session, user, rnd.id, firm_id)
        firm_name = f"{ent.code} {ent.name}"
    data = documents.to_xlsx(rnd, settlement.compute(session, rnd, firm_id), firm_name)
    name = f"settlement-round-{rnd.id}" + (f"-firm-{firm_id}" if firm_id else "") + ".xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/rounds/{round_id}/settlement/sheet", tags=[TAG], response_class=HTMLResponse,
            summary="双方结算单（A4 打印）/ the printable A4 settlement sheet of two firms")
def settlement_sheet(
    round_id: Id, user: CurrentUser, session: SessionDep,
    a: Annotated[int, Query(ge=1, le=MAX_ID, description="one firm's id")],
    b: Annotated[int, Query(ge=1, le=MAX_ID, description="the other firm's id")],
) -> HTMLResponse:
    rnd = queries.get_round_for(session, user, round_id)
    if user.role == Role.ENTERPRISE and user.enterprise_id not in (a, b):
        raise not_found("结算单 settlement sheet", f"{a}-{b}")
    result = settlement.compute(session, rnd, _firm_filter(user))
    pair = next((p for p in result.pairs if {p.a_id, p.b_id} == {a, b}), None)
    if pair is None:
        raise not_found("结算单 settlement sheet", f"{a}-{b}")
    return HTMLResponse(documents.render_sheet(rnd, pair, result.closed))


# ----- ratings (评议) and reliability ----------------------------------------------------------------------------


@router.post("/items/{item_id}/ratings", response_model=RatingOut, status_code=201, tags=[TAG],
             summary="评议对方（准时、质量、配合 1-5 分）/ rate the other side (on time, quality, cooperation 1-5)")
def rate_item(item_id: Id, data: RatingIn, user: EnterpriseUser, session: SessionDep) -> RatingOut:
    item = xq.confirmed_item_for(session, user, item_id)
    rating = ratings.rate(session, user, item, data.on_time, data.quality, data.cooperation, data.comment)
    return RatingOut.model_validate(rating)


@router.get("/items/{item_id}/ratings", response_model=list[RatingOut], tags=[TAG],
            summary="一个条目的评议 / the ratings of one item")
def item_ratings(item_id: Id, user: CurrentUser, session: SessionDep) -> list[RatingOut]:
    item = xq.confirmed_item_for(session, user, item_id)
    return [RatingOut.model_validate(r) for r in ratings.item_ratings(session, user, item)]


@router.get("/alliances/{alliance_id}/ratings", response_model=list[RatingOut], tags=[TAG],
            summary="联盟的评议（企业只见收到的）/ the alliance's ratings (a firm: those it received)")
def alliance_ratings(alliance_id: Id, user: CurrentUser, session: SessionDep) -> list[RatingOut]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    return [RatingOut.model_validate(r) for r in ratings.visible_ratings(session, user, alliance)]


@router.get("/alliances/{alliance_id}/reliability", response_model=list[ReliabilityOut], tags=[TAG],
            summary="各企业履约可靠度（企业只见自己的）/ reliability per firm (a firm: its own)")
def alliance_reliability(alliance_id: Id, user: CurrentUser, session: SessionDep) -> list[ReliabilityOut]:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    rows = ratings.reliability(session, alliance)
    if user.role == Role.ENTERPRISE:
        rows = [r for r in rows if r.enterprise_id == user.enterprise_id]
    return [ReliabilityOut.model_validate(r, from_attributes=True) for r in rows]


# ----- outcome figures (成效) ---------------------------------------------------------------------------------------


@router.get("/alliances/{alliance_id}/outcomes", response_model=OutcomesOut, tags=[TAG],
            summary="成效：按轮次与月份 / outcome figures per round and per month")
def alliance_outcomes(alliance_id: Id, user: PlannerReader, session: SessionDep) -> OutcomesOut:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    return OutcomesOut.model_validate(outcomes.outcomes(session, alliance))


@router.get("/alliances/{alliance_id}/outcomes/export", tags=[TAG], response_class=Response,
            responses={200: {"content": {XLSX: {}}, "description": "成效表 / the workbook"}},
            summary="成效 Excel（党建工作报告用）/ outcome figures as Excel, for the branch's report")
def export_outcomes(alliance_id: Id, user: PlannerReader, session: SessionDep) -> Response:
    alliance = queries.get_alliance_for(session, user, alliance_id)
    data = documents.outcomes_xlsx(alliance.name, outcomes.outcomes(session, alliance))
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="outcomes-alliance-{alliance.id}.xlsx"'})
