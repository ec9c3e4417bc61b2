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


OUTCOME_HEADERS = [("period", "期间 period"), ("rounds", "轮次数 rounds"),
                   ("worker_days_employed", "稳岗人·天 worker-days employed"),
                   ("value_subcontracted", "委托加工消化价值 value sub-contracted"),
                   ("value_cleared_planned", "方案消化积压价值 value cleared (plan)"),
                   ("extra_over_hand", "较人工撮合增益 extra over matching by hand"),
                   ("partner_pairs", "合作对数 partner pairs"), ("on_time_share", "按期交付率 on-time share"),
                   ("average_rating", "平均评分 average rating")]


def outcomes_xlsx(alliance: str, data: dict[str, list[dict[str, Any]]]) -> bytes:
    wb = Workbook()
    _sheet(wb, "按月 per month", [h for _, h in OUTCOME_HEADERS],
           [[m[k] for k, _ in OUTCOME_HEADERS] for m in data["months"]], first=True)
    _sheet(wb, "按轮次 per round", ["联盟 alliance", *(h for _, h in OUTCOME_HEADERS)],
           [[r["alliance"], *(r[k] for k, _ in OUTCOME_HEADERS)] for r in data["rounds"]])
    if len(data.get("alliances", [])) > 1:  # a county: one total per park beside its own
        _sheet(wb, "按联盟 per alliance", [h for _, h in OUTCOME_HEADERS],
               [[a[k] for k, _ in OUTCOME_HEADERS] for a in data["alliances"]])
    _sheet(wb, "说明 notes", ["联盟 alliance", alliance], [["口径 definitions", "docs/execution.md: Outcome figures"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
