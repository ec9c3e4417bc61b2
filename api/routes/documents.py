"""Documents: agreements of confirmed items, plan and settlement exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from api import queries
from api.catalogue import load as load_catalogue
from api.deps import CurrentUser, Id, PlannerReader, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.services import agreements, exports

router = APIRouter(responses=PROBLEM_RESPONSES)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get("/items/{item_id}/agreement", tags=["documents 协议与导出"], response_class=Response,
            responses={200: {"content": {"text/html": {}, "text/plain": {}},
                             "description": "协议全文 / the agreement"}},
            summary="已确认条目的协议（帮工协议/委托加工协议）/ the agreement of a confirmed item")
def agreement(
    item_id: Id, user: CurrentUser, session: SessionDep,
    format: Annotated[Literal["html", "text"], Query(description="html or text")] = "html",
) -> Response:
    item = queries.get_item_for(session, user, item_id)
    document = agreements.build(item)
    if format == "text":
        return PlainTextResponse(agreements.render_text(document))
    return HTMLResponse(agreements.render_html(document))


@router.get("/jobs/{job_id}/export", tags=["documents 协议与导出"], response_class=Response,
            responses={200: {"content": {XLSX: {}, "text/csv": {}}, "description": "导出文件 / the file"}},
            summary="导出方案与结算（xlsx 全部表，csv 单表）/ export the plan and settlement (xlsx: all tables; "
            "csv: one table)")
def export(
    job_id: Id, user: PlannerReader, session: SessionDep,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    table: Annotated[Literal["production", "loans", "subcontracts", "loan_groups", "settlement", "unmet"],
                     Query(description="csv only: which table (default: production, the plan's rows)")] = "production",
) -> Response:
    job = queries.get_job_for(session, user, job_id)
    tables = exports.plan_tables(job, load_catalogue(session))
    if format == "xlsx":
        return Response(exports.to_xlsx(job, tables), media_type=XLSX, headers=attachment(f"plan-{job.id}.xlsx"))
    keys, rows = tables[table]
    return Response(exports.to_csv(keys, rows), media_type=CSV, headers=attachment(f"plan-{job.id}-{table}.csv"))
