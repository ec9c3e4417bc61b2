"""Plan and settlement exports: one .xlsx workbook, or one CSV per table (UTF-8 with BOM, so Excel reads Chinese).

Headers are bilingual ("订单 order").  The tables are the plan's rows as
MODEL.md writes them, the grouped sub-contracts and loans with their terms
(as the proposal items carry them), the settlement per enterprise and the
unmet orders from the plan's report.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from alliance.plan import Plan
from alliance.scenario import load_scenario
from api.catalogue import Catalogue, seed_catalogue
from api.cells import append_row, csv_row
from api.errors import Conflict
from api.models import ItemKind, PlanningJob
from api.render import status_text
from api.services.proposals import derive_items
from api.services.reporting import report_of

LABELS = {
    "order": "订单", "site": "生产企业", "day": "天", "date": "日期", "quantity": "数量", "skill": "工种",
    "from": "出借企业", "to": "借入企业", "workers": "人数", "owner": "委托企业", "units": "件数", "days": "天数",
    "transport_cost": "运费", "settlement_value": "结算金额", "value_per_unit": "单价", "lender": "出借企业",
    "borrower": "借入企业", "worker_days": "人·天", "commute_cost": "通勤费", "wage_reimbursed": "偿付工资",
    "wage_per_day": "日工资", "headcount": "人数上限", "enterprise": "企业", "receivable": "应收", "payable": "应付",
    "net": "净额", "unmet": "未满足", "reason": "原因", "distance_km": "距离(公里)", "process": "工序",
    "due_day": "交期", "ship_by_day": "最迟发运日", "min_quality_level": "质量等级", "key": "条目",
    "name": "名称", "owner_name": "委托企业名称", "pays_subcontracts": "应付加工款", "pays_wages": "应付工资",
    "pays": "应付合计", "receives_subcontracts": "应收加工款", "receives_wages": "应收工资", "receives": "应收合计",
    "planned": "已安排", "unmet_units": "未满足件数", "unmet_value": "未满足价值", "reason_zh": "原因",
    "reason_en": "reason (en)", "spare_units": "剩余产能(件)",
    "why_zh": "哪条规则限制", "unlock_zh": "怎样能完成", "why_en": "rule that bound (en)",
    "unlock_en": "what would unlock it (en)",
}
TABLES = {
    "production": "生产明细 production",
    "loans": "借工明细 loans",
    "subcontracts": "委托加工 subcontracts",
    "loan_groups": "帮工 loan groups",
    "settlement": "结算 settlement",
    "unmet": "未满足 unmet",
}


def header(key: str) -> str:
    label = LABELS.get(key)
    return f"{label} {key}" if label else key


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def _table(rows: list[dict[str, Any]], keys: list[str] | None = None) -> tuple[list[str], list[list[Any]]]:
    if keys is None:
        keys = []
        for row in rows:
            keys += [k for k in row if k not in keys]
    return keys, [[_cell(row.get(k)) for k in keys] for row in rows]


def _dated(rows: list[dict[str, Any]], start: Any) -> list[dict[str, Any]]:
    """Each row's day as its calendar date (a person reads dates); the model's day offset stays beside it."""
    if start is None:
        return rows
    return [{**r, "date": (start + dt.timedelta(days=int(r["day"]))).isoformat()} for r in rows]


def _named(rows: list[dict[str, Any]], cat: Catalogue) -> list[dict[str, Any]]:
    return [{**r, **{k: cat.zh(k, r[k]) for k in ("skill", "process", "machine")  # type: ignore[arg-type]
                     if isinstance(r.get(k), str)}} for r in rows]


def plan_tables(job: PlanningJob, catalogue: Catalogue | None = None) -> dict[str, tuple[list[str], list[list[Any]]]]:
    if job.plan is None:
        raise Conflict(f"任务 {job.id} 尚无方案 / job {job.id} has no plan")
    cat = catalogue or seed_catalogue()
    scenario = load_scenario(job.snapshot)
    start = scenario.start_date
    plan = Plan.model_validate(job.plan)
    items = derive_items(scenario, plan)
    subs = [{"key": i.key, "order": i.order_id, "owner": i.first, "site": i.second, **i.terms}
            for i in items if i.kind == ItemKind.SUBCONTRACT]
    loans = [{"key": i.key, "skill": i.skill, "lender": i.first, "borrower": i.second, **i.terms}
             for i in items if i.kind == ItemKind.LOAN]
    report = report_of(scenario, plan)
    settlement = [{k: v for k, v in line.items()} for line in report["settlement"]]
    # The actionable reason (alliance/reasons.py) as two flat columns per language; its facts stay in the API.
    unmet = [{**{k: v for k, v in u.items() if k not in ("eligible_sites", "action")},
              **({"why_zh": u["action"]["zh"], "unlock_zh": u["action"]["unlock_zh"], "why_en": u["action"]["en"],
                  "unlock_en": u["action"]["unlock_en"]} if u.get("action") else {})} for u in report["unmet"]]
    return {
        "production": _table(_dated([r.model_dump(mode="json") for r in plan.production], start),
                             ["order", "site", "date", "day", "quantity"] if start else ["order", "site", "day",
                                                                                        "quantity"]),
        "loans": _table(_named(_dated([r.model_dump(mode="json", by_alias=True) for r in plan.loans], start), cat),
                        ["skill", "from", "to", "date", "day", "workers"] if start else ["skill", "from", "to", "day",
                                                                                        "workers"]),
        "subcontracts": _table(_named(subs, cat)),
        "loan_groups": _table(_named(loans, cat)),
        "settlement": _table(settlement),
        "unmet": _table(unmet),
    }


def to_xlsx(job: PlanningJob, tables: dict[str, tuple[list[str], list[list[Any]]]]) -> bytes:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "汇总 summary"
    plan = job.plan or {}
    status = plan.get("status")
    for label, value in (("任务 job", job.id), ("轮次 round", job.round_id),
                         ("状态 status", status_text(status, "zh") if status else None),
                         ("目标值 objective (yuan)", plan.get("objective")), ("上界 bound", plan.get("bound")),
                         ("差距 gap", plan.get("gap"))):
        append_row(summary, [label, value])
    for name, (keys, rows) in tables.items():
        ws = wb.create_sheet(TABLES[name][:31])
        append_row(ws, [header(k) for k in keys])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(ws, row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def to_csv(keys: list[str], rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(csv_row(header(k) for k in keys))
    writer.writerows(csv_row(row) for row in rows)
    return ("\ufeff" + text.getvalue()).encode("utf-8")
