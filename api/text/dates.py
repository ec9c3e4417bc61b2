"""Plan days as calendar dates: day ``d`` of a round is ``start_date + d`` (MODEL.md counts days from 0).

Where no start date is known the day is said as "第 d+1 天" / "day d+1", counting
from 1 as people do, never the model's 0-based offset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def day_date(start: dt.date | None, day: int) -> dt.date | None:
    return None if start is None else start + dt.timedelta(days=int(day))


def zh_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def zh_short(date: dt.date) -> str:
    return f"{date.month}月{date.day}日"


def en_date(date: dt.date) -> str:
    return f"{date.day} {date.strftime('%b')} {date.year}"


def day_text(start: dt.date | None, day: int, lang: str = "zh", *, short: bool = False) -> str:
    date = day_date(start, day)
    if date is None:
        return f"第 {int(day) + 1} 天" if lang == "zh" else f"day {int(day) + 1}"
    if lang == "zh":
        return zh_short(date) if short else zh_date(date)
    return f"{date.day} {date.strftime('%b')}" if short else en_date(date)


def days_text(start: dt.date | None, days: Iterable[int], lang: str = "zh") -> str:
    """Consecutive days joined as a span: "12月3日至12月5日、12月8日"."""
    ordered = sorted({int(d) for d in days})
    spans: list[tuple[int, int]] = []
    for d in ordered:
        if spans and d == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    to, sep = ("至", "、") if lang == "zh" else ("–", ", ")
    parts = [day_text(start, a, lang, short=True) if a == b
             else f"{day_text(start, a, lang, short=True)}{to}{day_text(start, b, lang, short=True)}"
             for a, b in spans]
    return sep.join(parts)
