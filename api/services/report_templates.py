"""The capacity-report template the service hands out: an .xlsx workbook or one CSV file per sheet.

The sheets, their headers and the day columns are those :mod:`api.services.report_files` reads back, so a
filled-in template imports unchanged; cells are written through :mod:`api.cells` (text stays text, never a
formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from api.catalogue import Catalogue, seed_catalogue
from api.catalogue.defaults import Kind
from api.cells import FORMULA_START, append_row, csv_row
from api.models import Enterprise, PlanningRound
from api.services.report_files import (
    BLOCKED,
    BLOCKED_HEAD,
    IDLE,
    KIND_LABELS,
    LENDABLE,
    MACHINE_HEAD,
    MACHINES,
    ORDER_COLUMNS,
    ORDERS,
    README,
    TITLES,
    WORKER_HEAD,
    WORKERS,
    day_label,
    label,
)


def _per_day(value: Any, horizon: int) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    return [value] * horizon


def sheet_rows(
    rnd: PlanningRound, payload: dict[str, Any] | None, members: Iterable[Enterprise],
    catalogue: Catalogue | None = None,
) -> dict[str, list[list[Any]]]:
    """The four sheets as rows (header first), filled from ``payload`` (the latest report) when given."""
    payload = payload or {}
    cat = catalogue or seed_catalogue()
    days = [day_label(rnd, d) for d in range(rnd.horizon_days)]
    workers: list[list[Any]] = [[label(k, zh) for k, zh in WORKER_HEAD] + days]
    idle = payload.get("idle_workers") or {}
    lendable = payload.get("lendable_workers")
    for skill in rnd.skills:
        name = cat.zh("skill", skill)
        workers.append([name, KIND_LABELS[IDLE], *_per_day(idle.get(skill, 0), rnd.horizon_days)])
        source = idle if lendable is None else lendable
        workers.append([name, KIND_LABELS[LENDABLE], *_per_day(source.get(skill, 0), rnd.horizon_days)])
    machines: list[list[Any]] = [[label(k, zh) for k, zh in MACHINE_HEAD] + days]
    hours = payload.get("spare_machine_hours") or {}
    for machine in rnd.machines:
        machines.append([cat.zh("machine", machine), *_per_day(hours.get(machine, 0), rnd.horizon_days)])
    orders: list[list[Any]] = [[label(k, zh) for k, zh, _, _ in ORDER_COLUMNS]]
    named: dict[str, Kind] = {"process": "process", "skill": "skill", "machine": "machine"}
    for order in payload.get("orders") or []:
        row: list[Any] = []
        for k, _, kind, _ in ORDER_COLUMNS:
            value = order.get(k)
            if k in named and value:
                value = cat.zh(named[k], value)
            elif kind == "day" and isinstance(value, int):
                value = day_label(rnd, value)
            row.append(value)
        orders.append(row)
    names = {e.code: e.name for e in members}
    blocked: list[list[Any]] = [[label(k, zh) for k, zh in BLOCKED_HEAD]]
    for code in payload.get("blocked_partners") or []:
        blocked.append([code, names.get(code, "")])
    return {WORKERS: workers, MACHINES: machines, ORDERS: orders, BLOCKED: blocked}


README_LINES = [
    "产能填报模板 / capacity report template",
    "1. 工人：每个工种两行，闲置人数与其中同意出借的人数（可出借 ≤ 闲置）。",
    "   workers: two rows per skill, idle workers and, of those, who consented to be lent (lendable <= idle).",
    "2. 设备：每种设备一行，每天可用的空闲机时。/ machines: spare machine hours per day.",
    "3. 订单：积压订单，交期与最早投产日填日期（如 2026-12-03）。/ orders: backlog orders; days as dates, e.g. "
    "2026-12-03.",
    "4. 不合作企业：不愿合作的成员企业编码。/ blocked: codes of member firms not to work with.",
    "空单元格按 0 或默认值处理。/ empty cells mean 0 or the default.",
    "CSV：每张表一个文件，表头与本模板相同；可一次上传多个文件。/ CSV: one file per sheet with these headers; "
    "upload several at once.",
]


def template_xlsx(rnd: PlanningRound, ent: Enterprise, payload: dict[str, Any] | None,
                  members: Iterable[Enterprise], catalogue: Catalogue | None = None) -> bytes:
    cat = catalogue or seed_catalogue()
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README
    append_row(readme, [f"{ent.name}（{ent.code}） 轮次 round {rnd.name}，{rnd.start_date} 起 {rnd.horizon_days} 天"])
    for line in README_LINES:
        append_row(readme, [line])
    readme.column_dimensions["A"].width = 120
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for key, rows in sheet_rows(rnd, payload, members, cat).items():
        ws = wb.create_sheet(TITLES[key])
        for row in rows:
            append_row(ws, row)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        ws.freeze_panes = "B2"
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = max(12, min(28, len(str(col[0].value or "")) + 2))
        if key == WORKERS:
            _choices(ws, "B2:B500", list(KIND_LABELS.values()))
            _choices(ws, "A2:A500", [cat.zh("skill", s) for s in rnd.skills])
        elif key == MACHINES and rnd.machines:
            _choices(ws, "A2:A500", [cat.zh("machine", m) for m in rnd.machines])
        elif key == ORDERS:
            _choices(ws, "C2:C500", [cat.zh("skill", s) for s in rnd.skills])
            if rnd.machines:
                _choices(ws, "F2:F500", [cat.zh("machine", m) for m in rnd.machines])
            _choices(ws, "M2:M500", ["true", "false"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _choices(ws: Any, cells: str, values: list[str]) -> None:
    text = ",".join(values)
    if len(text) > 250 or any(c in v for v in values for c in '",') or any(v.startswith(FORMULA_START) for v in values):
        return  # Excel's limit for an inline list; a quote or comma in a code cannot be written in one
    dv = DataValidation(type="list", formula1=f'"{text}"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add(cells)


def template_csv(rnd: PlanningRound, payload: dict[str, Any] | None, members: Iterable[Enterprise],
                 sheet: str, catalogue: Catalogue | None = None) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(
        csv_row(r) for r in sheet_rows(rnd, payload, members, catalogue)[sheet])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
