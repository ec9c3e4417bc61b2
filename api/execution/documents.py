"""Settlement documents: an Excel workbook per round or per firm, and the printable A4 sheet of one pair.

Cells that begin with ``=``, ``+``, ``-`` or ``@`` are written with a leading apostrophe so that a firm's
name or a note can never become a formula in the reader's spreadsheet (CSV/formula injection, OWASP).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font

from api.execution.settlement import Line, Pair, Settlement
from api.models import PlanningRound

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

KIND = {"loan": "帮工 loan", "subcontract": "委托加工 sub-contract"}
LINE_HEADERS = ["条目 item", "类型 kind", "付款方 payer", "收款方 payee", "状态 state", "计划 planned",
                "实际 actual", "送达 delivered", "单价/日工资 rate", "距离 km", "工资/加工费 base",
                "通勤/运输 travel", "金额 amount"]


def safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _line_row(line: Line) -> list[Any]:
    return [line.key, KIND[line.kind], line.payer, line.payee, line.state, line.planned, line.actual,
            line.delivered, line.rate, line.distance_km, line.base, line.travel, line.amount]


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]], first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title[:31]
    ws.append([safe(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe(v) for v in row])


def to_xlsx(rnd: PlanningRound, settlement: Settlement, firm: str | None = None) -> bytes:
    wb = Workbook()
    status = "已关账 closed" if settlement.closed else "未关账 open"
    _sheet(wb, "汇总 summary", ["项目 field", "值 value"],
           [["联盟 alliance", rnd.alliance.name], ["轮次 round", rnd.name],
            ["开始日期 start", rnd.start_date.isoformat()], ["结算 settlement", status],
            ["企业 firm", firm or "全部 all"]], first=True)
    _sheet(wb, "企业 firms", ["企业 enterprise", "应收 receivable", "应付 payable", "净额 net"],
           [[f.enterprise, f.receivable, f.payable, f.net] for f in settlement.firms])
    _sheet(wb, "双方 pairs", ["甲方 a", "乙方 b", "甲付乙净额 a pays b (net)"],
           [[p.a, p.b, p.a_pays_b] for p in settlement.pairs])
    _sheet(wb, "明细 lines", LINE_HEADERS, [_line_row(ln) for ln in settlement.lines])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def render_sheet(rnd: PlanningRound, pair: Pair, closed: bool) -> str:
    return _env.get_template("settlement_sheet.html").render(rnd=rnd, pair=pair, closed=closed, kind=KIND)
