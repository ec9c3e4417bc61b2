"""Cells written to .xlsx and .csv exports: never a formula, never a character the format cannot hold.

Stored text comes from people (order ids, names, codes); a value such as ``=HYPERLINK("http://…","x")``
would become a live formula in every clerk's spreadsheet (OWASP "CSV injection"), and a control character
makes openpyxl refuse the whole workbook.  So, whatever was stored before the input checks existed:

* xlsx: a text cell is always written as text (``data_type = "s"``), so ``=…`` is shown, not evaluated, and
  the value imports back unchanged; characters XML cannot carry are dropped.
* csv: a text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a leading ``'`` (OWASP's
  advice), which the report import strips again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def csv_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(row: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in row]


def uncsv_cell(value: Any) -> Any:
    """The import's inverse of :func:`csv_cell`."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def append_row(ws: Any, row: Iterable[Any]) -> None:
    """``ws.append`` with every text cell kept as text (never a formula) and cleaned of illegal characters."""
    values = [clean_text(v) if isinstance(v, str) else v for v in row]
    ws.append(values)
    for cell, value in zip(ws[ws.max_row], values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
