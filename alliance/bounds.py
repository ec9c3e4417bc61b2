"""Plausible values and safe text: the bounds every scenario and report field is checked against.

The upper bounds are far above anything a ceramics park reports (the demo park: orders of a few thousand
pieces at 15 yuan, 17 idle workers, wages of 250 yuan) but below what a typo or an attack makes of them
(10^30 pieces, 1e308 yuan, a start date of 9999-12-31).  They also keep the solver's numerics meaningful:
coefficients within about 12 orders of magnitude of each other.  Each refusal says, in Chinese and English,
which quantity, which value and which limit; the field path is in the error's ``loc``.

Text fields refuse control characters (U+0000-U+001F, U+007F-U+009F): they cannot be stored in an .xlsx
cell, and they hide what a text says; multi-line fields (notes, comments, reasons) keep tab and newline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

MAX_QUANTITY = 10_000_000  # pieces in one order (and its minimum lot)
MAX_VALUE_PER_UNIT = 1_000_000.0  # yuan per piece
MIN_LABOR_MINUTES = 0.01  # minutes of work per piece: below this the solver's coefficients lose meaning
MAX_LABOR_MINUTES = 100_000.0  # minutes of work per piece (about 200 workdays)
MAX_MACHINE_HOURS_PER_UNIT = 10_000.0
MAX_WORKERS = 10_000  # idle or lendable workers of one skill at one firm on one day
# Spare hours of one machine type at one firm on one day: reports sum a firm's machines of a type, so the
# bound is 24 hours times 100 machines, not 24.
MAX_MACHINE_HOURS_PER_DAY = 2_400.0
MAX_WAGE_PER_DAY = 10_000.0  # yuan
MAX_COST_PER_KM = 10_000.0  # yuan per km (commute) or per piece and km (transport)
MAX_LINK_COST = 10_000_000.0  # yuan per linked pair
MAX_RADIUS_KM = 2_000.0
MAX_DISTANCE_KM = 20_100.0  # half the Earth's circumference
MAX_QUALITY_LEVEL = 1_000
MAX_SUBCONTRACTORS = 100
MAX_HORIZON_DAYS = 366
MAX_CODES = 200  # skills or machines of a round or scenario, and processes of a firm
MAX_ENTERPRISES = 5_000
MAX_ORDERS = 200_000  # in one scenario
MAX_DISTANCES = 100_000
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2100, 12, 31)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Published:
    """A check that pydantic runs after the type's own, and that the JSON schema publishes (``maximum``,
    ``pattern``), so a client or a schema-driven test knows the bound before it is refused.  A plain
    ``Field(le=...)`` would publish it too but answer with pydantic's message, not one naming the quantity."""

    def __init__(self, check: Callable[[Any], Any], schema: dict[str, Any]) -> None:
        self.check, self.schema = check, schema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        published = handler(schema)
        for key, value in self.schema.items():
            if key == "pattern" and "pattern" in published:
                # A field with a pattern of its own: JSON Schema holds one per object, the second goes in allOf.
                published.setdefault("allOf", []).append({"pattern": value})
            else:
                published[key] = value
        return published


def at_most(limit: float, zh: str, en: str) -> _Published:
    """Refuse a value above ``limit`` with a message naming the quantity, the value and the limit."""

    def check(value: Any) -> Any:
        if value > limit:
            raise PydanticCustomError(
                "too_large",
                "{zh} {value} 超过上限 {limit}，请检查是否输错 / {en} {value} is above the limit of {limit}; "
                "check for a typo",
                {"zh": zh, "en": en, "value": _fmt(value), "limit": _fmt(limit)},
            )
        return value

    return _Published(check, {"maximum": limit})


def _no_control(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def check(text: str) -> str:
        m = pattern.search(text)
        if m:
            code = f"U+{ord(m.group()):04X}"
            raise PydanticCustomError(
                "control_character",
                "含有控制字符 {code}（第 {pos} 个字符），请删除 / contains the control character {code} "
                "at position {pos}",
                {"code": code, "pos": m.start() + 1},
            )
        return text

    return check


# The same classes as JSON-schema patterns (ECMA-262 and Python read ``\\uXXXX`` alike).
NO_CONTROL_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
NO_CONTROL_MULTILINE_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
def _non_blank(text: str) -> str:
    if not text.strip():
        raise PydanticCustomError("missing", "必填，不能只有空白 / required, and not only spaces")
    return text


# A required text: at least one character that is not white space.
non_blank = _Published(_non_blank, {"pattern": "\\S"})
no_control = _Published(_no_control(_CONTROL), {"pattern": NO_CONTROL_PATTERN})
no_control_multiline = _Published(_no_control(_CONTROL_MULTILINE), {"pattern": NO_CONTROL_MULTILINE_PATTERN})


def _whole_number(value: Any) -> Any:
    # JSON has one number type: 59.0 and 59 are the same number, and a JSON Schema "integer" admits both.
    # Strings and booleans still do not pass for integers (the strict int after this refuses them).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


whole_number = BeforeValidator(_whole_number)

# true or false only: 0, 1, "yes" are refused (the schema says boolean, and nothing is guessed silently).
Flag = Annotated[bool, Field(strict=True)]


def required_when(switch: str, value: str, field: str) -> Callable[[dict[str, Any]], None]:
    """A model's JSON-schema addition: ``field`` is a non-blank text when ``switch`` is ``value`` (a rejection
    needs a comment, a decline a reason); the service checks it and names the field, the schema states it."""

    def extra(schema: dict[str, Any]) -> None:
        schema["if"] = {"properties": {switch: {"const": value}}, "required": [switch]}
        schema["then"] = {"properties": {field: {"type": "string", "pattern": "\\S"}}, "required": [field]}

    return extra


def _date_in_range(value: date) -> date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise PydanticCustomError(
            "date_out_of_range", "日期 {value} 不在 {lo} 至 {hi} 之间 / date {value} is outside {lo} .. {hi}",
            {"value": value.isoformat(), "lo": MIN_DATE.isoformat(), "hi": MAX_DATE.isoformat()})
    return value


PlausibleDate = Annotated[date, AfterValidator(_date_in_range)]

# Codes (ids of firms, orders, skills, machines, processes) and names: one line, no control characters.
Ident = Annotated[str, Field(min_length=1, max_length=100), no_control]
Text200 = Annotated[str, Field(min_length=1, max_length=200), no_control]

Quantity = Annotated[int, Field(ge=1, strict=True), at_most(MAX_QUANTITY, "数量", "quantity"), whole_number]
MinLot = Annotated[int, Field(ge=1, strict=True), at_most(MAX_QUANTITY, "最小批量", "minimum lot"), whole_number]
LaborMinutes = Annotated[float, Field(ge=MIN_LABOR_MINUTES, allow_inf_nan=False, strict=True),
                         at_most(MAX_LABOR_MINUTES, "单件工时（分钟）", "labour minutes per unit")]
MachineHoursPerUnit = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                                at_most(MAX_MACHINE_HOURS_PER_UNIT, "单件机时（小时）", "machine hours per unit")]
ValuePerUnit = Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True),
                         at_most(MAX_VALUE_PER_UNIT, "单件价值（元）", "value per unit (yuan)")]
TransportRate = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                          at_most(MAX_COST_PER_KM, "单件每公里运费（元）", "transport cost per unit and km")]
Radius = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True), at_most(MAX_RADIUS_KM, "半径（公里）",
                                                                                "radius (km)")]
CommuteCost = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                        at_most(MAX_COST_PER_KM, "每公里通勤费（元）", "commute cost per km")]
LinkCost = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                     at_most(MAX_LINK_COST, "对接成本（元）", "link cost (yuan)")]
DistanceKm = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                       at_most(MAX_DISTANCE_KM, "距离（公里）", "distance (km)")]
QualityLevel = Annotated[int, Field(ge=0, strict=True), at_most(MAX_QUALITY_LEVEL, "质量等级", "quality level"),
                         whole_number]
Day = Annotated[int, Field(ge=0, strict=True), at_most(MAX_HORIZON_DAYS - 1, "日序号", "day number"), whole_number]
Wage = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                 at_most(MAX_WAGE_PER_DAY, "日工资（元）", "wage per day (yuan)")]
Workers = Annotated[int, Field(ge=0, strict=True), at_most(MAX_WORKERS, "人数", "workers"), whole_number]
DayHours = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True),
                     at_most(MAX_MACHINE_HOURS_PER_DAY, "每日空闲机时", "spare machine hours per day")]
# A per-day value: one number for every day, or exactly one entry per day (the length is checked against the
# horizon after parsing; the list is capped here so that a million entries are never built).
PerDayWorkers = Workers | Annotated[list[Workers], Field(max_length=MAX_HORIZON_DAYS)]
PerDayHours = DayHours | Annotated[list[DayHours], Field(max_length=MAX_HORIZON_DAYS)]
