"""Capacity reports as spreadsheets: the layout of the template the service hands out, and its import.

An .xlsx workbook has four sheets (plus a 说明 readme sheet that import
ignores); as CSV each sheet is its own file, recognised by its header row:

* 工人 workers: 工种 skill | 类别 kind (闲置 idle / 可出借 lendable) | one column per day
* 设备 machines: 设备 machine | one column per day (spare hours)
* 订单 orders: one row per backlog order, MODEL.md's order fields
* 不合作企业 blocked: 企业编码 code (| 企业名称 name, for reference only)

Day columns are headed by the day's date (``2026-12-03``; the older ``第N天 day N``
headers are still read); order days may be day numbers or dates of the round.
Skills, processes and machines are written by their catalogue names (``施釉``)
and read back by name or by code.  Sections missing from an upload keep their values
from the latest version.  Every error names the sheet, the (spreadsheet) row,
the column and the value.

This module turns rows of cells into a report; getting those rows out of the uploaded bytes without a
hostile file exhausting the machine is :mod:`api.services.upload_reading`'s job, so every row seen here
is already within the spreadsheet limits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from api import limits
from api.catalogue import Catalogue, seed_catalogue
from api.catalogue.defaults import Kind
from api.errors import FieldError, InvalidInput, make_field_error
from api.models import PlanningRound
from api.schemas import ReportIn
from api.services.upload_reading import Unreadable, blank, csv_rows, decode, describe, limit_error, xlsx_sheets

WORKERS, MACHINES, ORDERS, BLOCKED = "workers", "machines", "orders", "blocked"
TITLES = {WORKERS: "工人 workers", MACHINES: "设备 machines", ORDERS: "订单 orders", BLOCKED: "不合作企业 blocked"}
README = "说明 readme"

IDLE, LENDABLE = "idle", "lendable"
KIND_LABELS = {IDLE: "闲置 idle", LENDABLE: "可出借 lendable"}
KIND_WORDS = {"idle": IDLE, "闲置": IDLE, "闲置 idle": IDLE, "lendable": LENDABLE, "可出借": LENDABLE,
              "可出借 lendable": LENDABLE}

# (key, Chinese label, kind, required)
ORDER_COLUMNS: list[tuple[str, str, str, bool]] = [
    ("id", "订单号", "text", True),
    ("process", "工序", "text", True),
    ("skill", "工种", "text", True),
    ("quantity", "数量", "int", True),
    ("labor_minutes_per_unit", "单件工时(分钟)", "float", True),
    ("machine", "设备", "text", False),
    ("machine_hours_per_unit", "单件机时(小时)", "float", False),
    ("release_day", "最早投产日", "day", False),
    ("due_day", "交期", "day", True),
    ("value_per_unit", "单件价值(元)", "float", True),
    ("transport_cost_per_unit_km", "单件每公里运费(元)", "float", False),
    ("min_quality_level", "最低质量等级", "int", False),
    ("subcontractable", "可外发", "bool", False),
    ("min_lot", "最小批量", "int", False),
]
WORKER_HEAD = [("skill", "工种"), ("kind", "类别")]
MACHINE_HEAD = [("machine", "设备")]
BLOCKED_HEAD = [("code", "企业编码"), ("name", "企业名称")]

_DAY = re.compile(r"(?:day\s*(\d+))|(?:第\s*(\d+)\s*天)", re.IGNORECASE)
_TRUE = {"true", "yes", "y", "1", "是", "可", "√"}
_FALSE = {"false", "no", "n", "0", "否", "不可", "×"}


def label(key: str, zh: str) -> str:
    return f"{zh} {key}"


def day_label(rnd: PlanningRound, day: int) -> str:
    return (rnd.start_date + dt.timedelta(days=day)).isoformat()


def _code_of(catalogue: Catalogue, kind: Kind, text: str) -> str:
    """The code a cell names: a code as it is, or a catalogue name (Chinese or English) of one."""
    kinds: tuple[Kind, ...] = ("process", "skill") if kind == "process" else (kind,)
    for k in kinds:
        if text in catalogue.entries[k]:
            return text
    for k in kinds:
        for code, entry in catalogue.entries[k].items():
            if text in (entry.name_zh, entry.name_en):
                return code
    return text


# ----- the import -----------------------------------------------------------------------------------------


@dataclass
class Parsed:
    sections: dict[str, Any] = field(default_factory=dict)  # payload keys read from the upload
    sheets: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    # payload path prefix -> (sheet title, row, {field: column header})
    where: dict[tuple[Any, ...], tuple[str, int, dict[str, str]]] = field(default_factory=dict)
    catalogue: Catalogue = field(default_factory=seed_catalogue)

    def error(self, sheet: str, row: int, column: str, msg: str, value: Any, kind: str = "value_error") -> None:
        loc: list[Any] = [sheet, row, column]
        self.errors.append(make_field_error(loc, msg, kind, value, where=describe(loc)))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: Any, integer: bool) -> int | float:
    if isinstance(value, bool):
        raise ValueError
    number = value if isinstance(value, (int, float)) else float(str(value).strip().replace(",", ""))
    if integer:
        if float(number) != int(float(number)):
            raise ValueError
        return int(float(number))
    return float(number)


def _day(value: Any, rnd: PlanningRound) -> int:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return (value - rnd.start_date).days
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
        return (dt.date.fromisoformat(text) - rnd.start_date).days
    return int(_number(value, integer=True))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _match(header: Any, key: str, zh: str) -> bool:
    if blank(header):
        return False
    text = str(header).strip()
    return text == zh or key in text.lower().replace("(", " ").replace(")", " ").split()


def _columns(header: list[Any], wanted: list[tuple[str, str]]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, zh in wanted:
        for i, cell in enumerate(header):
            if _match(cell, key, zh):
                found[key] = i
                break
    return found


def _day_columns(parsed: Parsed, sheet: str, header: list[Any], rnd: PlanningRound, first: int) -> dict[int, int]:
    days: dict[int, int] = {}
    for i, cell in enumerate(header[first:], start=first):
        if blank(cell):
            continue
        day = _header_day(cell, rnd)
        if day is None:
            parsed.error(sheet, 1, str(cell), "无法识别的列，应为日期（如 2026-12-03）/ unknown column, expected a "
                         "date such as 2026-12-03", cell)
            continue
        if day < 0:
            parsed.error(sheet, 1, str(cell), f"早于计划期的起始日 {rnd.start_date.isoformat()} / before the round's "
                         "first day", cell)
            continue
        if day >= rnd.horizon_days:
            last = day_label(rnd, rnd.horizon_days - 1)
            parsed.error(sheet, 1, str(cell), f"超出计划期（{day_label(rnd, 0)} 至 {last}）/ outside the horizon",
                         cell)
        elif day in days:
            parsed.error(sheet, 1, str(cell), f"{day_label(rnd, day)} 的列重复 / {day_label(rnd, day)} given twice",
                         cell)
        else:
            days[day] = i
    missing = [day_label(rnd, d) for d in range(rnd.horizon_days) if d not in days]
    if missing:
        parsed.error(sheet, 1, "", f"缺少 {', '.join(missing)} 的列 / missing day column(s) {', '.join(missing)}",
                     [str(h) for h in header])
    return days


def _header_day(cell: Any, rnd: PlanningRound) -> int | None:
    """The day a column header names: a date (text or a spreadsheet date), or the older "第N天 day N"."""
    if isinstance(cell, dt.datetime):
        cell = cell.date()
    if isinstance(cell, dt.date):
        return (cell - rnd.start_date).days
    text = str(cell).strip()
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        try:
            return (dt.date(int(m[1]), int(m[2]), int(m[3])) - rnd.start_date).days
        except ValueError:
            return None
    old = _DAY.search(text)
    return int(old.group(1) or old.group(2)) if old else None


def _values_per_day(parsed: Parsed, sheet: str, rownum: int, row: list[Any], header: list[Any],
                    days: dict[int, int], integer: bool) -> int | float | list[Any] | None:
    values: list[Any] = []
    ok = True
    for day in sorted(days):
        col = days[day]
        cell = row[col] if col < len(row) else None
        if blank(cell):
            values.append(0)
            continue
        try:
            number = _number(cell, integer)
            if number < 0:
                raise ValueError
            values.append(number)
        except ValueError:
            ok = False
            parsed.error(sheet, rownum, str(header[col]), ("应为非负整数 / must be a whole number >= 0" if integer
                                                           else "应为非负数 / must be a number >= 0"), cell)
    if not ok or len(values) != len(days):
        return None
    return values[0] if len(set(values)) == 1 else values


def _parse_workers(parsed: Parsed, rows: list[list[Any]], rnd: PlanningRound) -> None:
    sheet = TITLES[WORKERS]
    header = rows[0]
    cols = _columns(header, WORKER_HEAD)
    for key, zh in WORKER_HEAD:
        if key not in cols:
            parsed.error(sheet, 1, label(key, zh), "缺少此列 / column missing", None)
    if len(cols) < 2:
        return
    days = _day_columns(parsed, sheet, header, rnd, max(cols.values()) + 1)
    idle: dict[str, Any] = {}
    lendable: dict[str, Any] = {}
    for rownum, row in enumerate(rows[1:], start=2):
        if all(blank(c) for c in row):
            continue
        skill = _text(row[cols["skill"]]) if cols["skill"] < len(row) and not blank(row[cols["skill"]]) else ""
        skill = _code_of(parsed.catalogue, "skill", skill) if skill else ""
        kind_raw = row[cols["kind"]] if cols["kind"] < len(row) else None
        kind = KIND_WORDS.get(_text(kind_raw).lower() if not blank(kind_raw) else "")
        if not skill:
            parsed.error(sheet, rownum, label("skill", "工种"), "必填 / required", None)
            continue
        if kind is None:
            parsed.error(sheet, rownum, label("kind", "类别"), "应为“闲置 idle”或“可出借 lendable” / must be idle or "
                         "lendable", kind_raw)
            continue
        target = idle if kind == IDLE else lendable
        if skill in target:
            parsed.error(sheet, rownum, label("skill", "工种"), f"{skill} 的{KIND_LABELS[kind]}行重复 / row given "
                         "twice", skill)
            continue
        value = _values_per_day(parsed, sheet, rownum, row, header, days, integer=True)
        if value is not None:
            target[skill] = value
            parsed.where[("idle_workers" if kind == IDLE else "lendable_workers", skill)] = (sheet, rownum, {})
    parsed.sections["idle_workers"] = {k: v for k, v in idle.items()}
    parsed.sections["lendable_workers"] = lendable or None


def _parse_machines(parsed: Parsed, rows: list[list[Any]], rnd: PlanningRound) -> None:
    sheet = TITLES[MACHINES]
    header = rows[0]
    cols = _columns(header, MACHINE_HEAD)
    if "machine" not in cols:
        parsed.error(sheet, 1, label("machine", "设备"), "缺少此列 / column missing", None)
        return
    days = _day_columns(parsed, sheet, header, rnd, cols["machine"] + 1)
    hours: dict[str, Any] = {}
    for rownum, row in enumerate(rows[1:], start=2):
        if all(blank(c) for c in row):
            continue
        cell = row[cols["machine"]] if cols["machine"] < len(row) else None
        if blank(cell):
            parsed.error(sheet, rownum, label("machine", "设备"), "必填 / required", None)
            continue
        machine = _code_of(parsed.catalogue, "machine", _text(cell))
        if machine in hours:
            parsed.error(sheet, rownum, label("machine", "设备"), "设备行重复 / machine given twice", machine)
            continue
        value = _values_per_day(parsed, sheet, rownum, row, header, days, integer=False)
        if value is not None:
            hours[machine] = value
            parsed.where[("spare_machine_hours", machine)] = (sheet, rownum, {})
    parsed.sections["spare_machine_hours"] = hours


def _parse_orders(parsed: Parsed, rows: list[list[Any]], rnd: PlanningRound) -> None:
    sheet = TITLES[ORDERS]
    header = rows[0]
    cols = _columns(header, [(k, zh) for k, zh, _, _ in ORDER_COLUMNS])
    for key, zh, _, required in ORDER_COLUMNS:
        if required and key not in cols:
            parsed.error(sheet, 1, label(key, zh), "缺少必填列 / required column missing", None)
    if any(required and key not in cols for key, _, _, required in ORDER_COLUMNS):
        return
    orders: list[dict[str, Any]] = []
    for rownum, row in enumerate(rows[1:], start=2):
        if all(blank(c) for c in row):
            continue
        order: dict[str, Any] = {}
        good = True
        for key, _, kind, required in ORDER_COLUMNS:
            if key not in cols:
                continue
            col = cols[key]
            cell = row[col] if col < len(row) else None
            column = str(header[col])
            if blank(cell):
                if required:
                    parsed.error(sheet, rownum, column, "必填 / required", None, "missing")
                    good = False
                continue
            try:
                if kind == "int":
                    order[key] = _number(cell, integer=True)
                elif kind == "float":
                    order[key] = _number(cell, integer=False)
                elif kind == "day":
                    order[key] = _day(cell, rnd)
                elif kind == "bool":
                    order[key] = _bool(cell)
                elif key in ("process", "skill", "machine"):
                    order[key] = _code_of(parsed.catalogue, key, _text(cell))  # type: ignore[arg-type]
                else:
                    order[key] = _text(cell)
            except ValueError:
                good = False
                expected = {"int": "整数 / a whole number", "float": "数字 / a number",
                            "day": "第几天或日期 / a day number or a date", "bool": "是/否 / true or false"}[kind]
                parsed.error(sheet, rownum, column, f"应为{expected}", cell)
        if good:
            parsed.where[("orders", len(orders))] = (sheet, rownum, {k: str(header[c]) for k, c in cols.items()})
            orders.append(order)
    parsed.sections["orders"] = orders


def _parse_blocked(parsed: Parsed, rows: list[list[Any]], rnd: PlanningRound) -> None:
    sheet = TITLES[BLOCKED]
    cols = _columns(rows[0], BLOCKED_HEAD)
    if "code" not in cols:
        parsed.error(sheet, 1, label("code", "企业编码"), "缺少此列 / column missing", None)
        return
    codes: list[str] = []
    for rownum, row in enumerate(rows[1:], start=2):
        cell = row[cols["code"]] if cols["code"] < len(row) else None
        if blank(cell):
            continue
        parsed.where[("blocked_partners", len(codes))] = (sheet, rownum, {})
        codes.append(_text(cell))
    parsed.sections["blocked_partners"] = codes


_PARSERS = {WORKERS: _parse_workers, MACHINES: _parse_machines, ORDERS: _parse_orders, BLOCKED: _parse_blocked}


def _sheet_key(title: str) -> str | None:
    text = title.strip().lower()
    for key, full in TITLES.items():
        zh = full.split()[0]
        if text in (full.lower(), key, zh) or key in text.split() or text.startswith(zh):
            return key
    return None


def _csv_sheet(header: list[Any]) -> str | None:
    first = [str(h).strip() for h in header if not blank(h)]
    if not first:
        return None
    if _match(first[0], "skill", "工种") and any(_match(h, "kind", "类别") for h in first):
        return WORKERS
    if _match(first[0], "machine", "设备"):
        return MACHINES
    if any(_match(h, "due_day", "交期") for h in first):
        return ORDERS
    if _match(first[0], "code", "企业编码"):
        return BLOCKED
    return None


def read_upload(files: list[tuple[str, bytes]], rnd: PlanningRound, catalogue: Catalogue | None = None) -> Parsed:
    parsed = Parsed(catalogue=catalogue or seed_catalogue())
    seen: dict[str, str] = {}

    def take(key: str, rows: list[list[Any]], source: str) -> None:
        if key in seen:
            parsed.error(TITLES[key], 0, "", f"此表在 {seen[key]} 与 {source} 中重复 / sheet given twice", source)
            return
        seen[key] = source
        parsed.sheets.append(TITLES[key])
        if not rows:
            parsed.error(TITLES[key], 1, "", "缺少表头行 / the header row is missing", None)
            return
        _PARSERS[key](parsed, rows, rnd)

    if len(files) > limits.MAX_UPLOAD_FILES:
        raise limit_error("", "", 0, f"一次最多上传 {limits.MAX_UPLOAD_FILES} 个文件 / at most "
                          f"{limits.MAX_UPLOAD_FILES} files per upload", len(files))
    for filename, data in files:
        name = filename.lower()
        if name.endswith(".xlsx") or data[:2] == b"PK":
            try:
                for title, rows in xlsx_sheets(filename, data, wanted=lambda t: _sheet_key(t) is not None):
                    key = _sheet_key(title)
                    if rows is None or key is None:
                        if title != README:
                            parsed.error(title, 0, "", "无法识别的工作表（应为工人、设备、订单或不合作企业）/ "
                                         "unknown sheet (expected workers, machines, orders or blocked)", title)
                        continue
                    take(key, rows, f"{filename}:{title}")
            except Unreadable:
                parsed.error(filename, 0, "", "无法读取 xlsx 文件 / the file is not a readable .xlsx workbook",
                             filename)
        else:
            try:
                text = decode(data)
            except ValueError:
                parsed.error(filename, 0, "", "无法识别文件编码（应为 UTF-8 或 GBK）/ unknown encoding (UTF-8 or GBK)",
                             filename)
                continue
            try:
                rows = csv_rows(filename, text)
            except Unreadable:
                parsed.error(filename, 0, "", "无法读取 CSV 文件 / the file is not readable CSV", filename)
                continue
            key = _csv_sheet(rows[0]) if rows else None
            if key is None:
                parsed.error(filename, 1, "", "无法从表头识别是哪张表（工人、设备、订单或不合作企业）/ cannot tell the "
                             "sheet from the header row", rows[0] if rows else None)
                continue
            take(key, rows, filename)
    return parsed


def merge(parsed: Parsed, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The new report payload: sections from the upload, the others from the latest version."""
    payload: dict[str, Any] = {k: v for k, v in (previous or {}).items()}
    payload.update(parsed.sections)
    return payload


def locate(parsed: Parsed, loc: list[Any]) -> list[Any]:
    """A report path (``orders.2.due_day``) as the sheet, row and column it came from, when it did."""
    path = [p for p in loc if p != "body"]
    for size in (2, 1):
        key = tuple(path[:size])
        if key in parsed.where:
            sheet, row, columns = parsed.where[key]
            rest = path[size:]
            column = columns.get(str(rest[0]), str(rest[0])) if rest else ""
            return [sheet, row, column]
    return path


def to_report(parsed: Parsed, payload: dict[str, Any]) -> ReportIn:
    if parsed.errors:
        raise InvalidInput(f"导入有 {len(parsed.errors)} 处错误 / the import has {len(parsed.errors)} error(s)",
                           parsed.errors)
    try:
        return ReportIn.model_validate(payload)
    except ValidationError as exc:
        errors = []
        for e in exc.errors():
            loc = locate(parsed, list(e["loc"]))
            errors.append(make_field_error(loc, str(e["msg"]), str(e["type"]), e.get("input"), where=describe(loc)))
        raise InvalidInput(f"导入有 {len(errors)} 处错误 / the import has {len(errors)} error(s)", errors) from None
