"""Reading uploaded spreadsheet files into rows of cells without letting a file exhaust the machine.

An upload is untrusted bytes: a 5 KB .xlsx can inflate to gigabytes, declare a million rows or hold a cell of
megabytes.  The spreadsheet limits of :mod:`api.limits` are checked here, each before the data it bounds is built,
so :mod:`api.services.report_files` only ever parses rows of a bounded size.  A file that cannot be read at all
raises :class:`Unreadable`; one past a limit raises :class:`~api.errors.InvalidInput` (or
:class:`~api.errors.PayloadTooLarge`) located as every import error is, which is why :func:`describe`, the words
for a place in an upload, lives here too.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from openpyxl import load_workbook

from api import limits
from api.cells import uncsv_cell
from api.errors import InvalidInput, PayloadTooLarge, make_field_error


class Unreadable(Exception):
    """Not a workbook or CSV at all: one error on that file, while a limit refuses the whole upload at once."""


def _halves(text: str) -> tuple[str, str]:
    """"订单 orders" as ("订单", "orders"); text without both halves is the same in both."""
    head, _, tail = text.partition(" ")
    if tail and re.search(r"[\u3400-\u9fff]", head) and not re.search(r"[\u3400-\u9fff]", tail):
        return head, tail
    return text, text


def describe(loc: list[Any]) -> str | None:
    """Where an import error is, for a person: "文件 x.csv" or "工作表“订单”第 3 行“数量”列" (and in English)."""
    if len(loc) != 3 or not isinstance(loc[1], int):
        return None
    sheet, row, column = str(loc[0]), loc[1], str(loc[2] or "")
    is_file = bool(re.search(r"\.[A-Za-z0-9]{1,5}$", sheet))
    if row == 0:
        if is_file:
            return f"文件 {sheet} / file {sheet}"
        zh, en = _halves(sheet)
        return f"工作表“{zh}” / sheet {en}"
    zh_sheet, en_sheet = _halves(sheet)
    if row == 1 and not column:
        if is_file:
            return f"文件 {sheet} 表头行 / file {sheet}, header row"
        return f"工作表“{zh_sheet}”表头行 / sheet {en_sheet}, header row"
    zh_col, en_col = _halves(column) if column else ("", "")
    zh = f"工作表“{zh_sheet}”第 {row} 行" + (f"“{zh_col}”列" if zh_col else "")
    en = f"sheet {en_sheet}, row {row}" + (f", column {en_col}" if en_col else "")
    return f"{zh} / {en}"


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def limit_error(filename: str, sheet: str, row: int, msg: str, value: Any = None) -> InvalidInput:
    loc: list[Any] = [sheet or filename, row, ""]
    return InvalidInput(msg, [make_field_error(loc, msg, "too_large", value, where=describe(loc))])


def _check_cell(filename: str, sheet: str, rownum: int, value: Any) -> None:
    if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
        raise limit_error(filename, sheet, rownum, f"单元格超过 {limits.MAX_CELL_CHARS} 个字符 / a cell is longer "
                          f"than {limits.MAX_CELL_CHARS} characters", value[:50])


def _bounded_rows(filename: str, sheet: str, rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    """The rows, trailing blanks dropped; refused past MAX_ROWS rows, MAX_COLUMNS columns or MAX_CELL_CHARS."""
    out: list[list[Any]] = []
    for rownum, raw in enumerate(rows, start=1):
        row = list(raw)
        while row and blank(row[-1]):
            row.pop()
        if not row:
            if rownum <= limits.MAX_ROWS:  # blank rows past the cap are skipped, never kept
                out.append(row)
            continue
        if rownum > limits.MAX_ROWS:
            raise limit_error(filename, sheet, rownum, f"行数超过上限 {limits.MAX_ROWS} / more than "
                              f"{limits.MAX_ROWS} rows")
        if len(row) > limits.MAX_COLUMNS:
            raise limit_error(filename, sheet, rownum, f"列数超过上限 {limits.MAX_COLUMNS} / more than "
                              f"{limits.MAX_COLUMNS} columns")
        for value in row:
            _check_cell(filename, sheet, rownum, value)
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def xlsx_sheets(filename: str, data: bytes,
                wanted: Callable[[str], bool]) -> Iterator[tuple[str, list[list[Any]] | None]]:
    """(title, rows) per worksheet, rows None for a sheet ``wanted`` turns down (never read, so never refused for
    its size); sizes checked before data is built.

    openpyxl inflates the shared strings whole and pads rows to the declared dimension, so a 5 KB file can ask
    for gigabytes: the zip's declared sizes (which zipfile enforces while inflating) and each sheet's
    dimension are checked first, and rows are read in read-only (streaming) mode with a row and column cap.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable from exc
    if len(members) > limits.MAX_XLSX_MEMBERS:
        raise limit_error(filename, "", 0, f"xlsx 内含文件超过 {limits.MAX_XLSX_MEMBERS} 个 / the workbook holds "
                          f"more than {limits.MAX_XLSX_MEMBERS} parts")
    inflated = sum(m.file_size for m in members)
    if inflated > limits.MAX_XLSX_UNCOMPRESSED_BYTES:
        cap = limits.MAX_XLSX_UNCOMPRESSED_BYTES
        raise PayloadTooLarge(
            f"文件 {filename} 解压后 {inflated} 字节，超过上限 {cap} 字节 / {filename} inflates to {inflated} bytes, "
            f"above the limit of {cap} bytes")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise Unreadable from exc
    try:
        if len(wb.worksheets) > limits.MAX_SHEETS:
            raise limit_error(filename, "", 0, f"工作表超过 {limits.MAX_SHEETS} 张 / more than {limits.MAX_SHEETS} "
                              "sheets")
        for ws in wb.worksheets:
            title = ws.title
            if not wanted(title):
                yield title, None
                continue
            # The declared dimension (None when the file has none): refuse before padding rows to it.
            rows_declared, cols_declared = getattr(ws, "max_row", None), getattr(ws, "max_column", None)
            if rows_declared is None or cols_declared is None:
                rows_declared, cols_declared = _scan_extent(ws)
            if (rows_declared or 0) > limits.MAX_ROWS or (cols_declared or 0) > limits.MAX_COLUMNS:
                raise limit_error(filename, title, 0, f"表格范围 {rows_declared} 行 × {cols_declared} 列，超过上限 "
                                  f"{limits.MAX_ROWS} 行 × {limits.MAX_COLUMNS} 列 / the sheet spans {rows_declared} "
                                  f"rows x {cols_declared} columns, above {limits.MAX_ROWS} x {limits.MAX_COLUMNS}")
            # Without a dimension openpyxl pads each row only to its own last cell, and a row past the cap with
            # data is refused by _bounded_rows as soon as it is reached.
            rows = ws.iter_rows(values_only=True)
            try:
                yield title, _bounded_rows(filename, title, rows)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as exc:
                raise Unreadable from exc
    finally:
        wb.close()


def _scan_extent(ws: Any) -> tuple[int, int]:
    """Last row and column holding a cell, for a sheet without a <dimension>: one streaming pass over the
    cells present (openpyxl's own ``calculate_dimension`` walks every padded row, a million for a bomb)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    last_row = last_col = 0
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=ws.parent.epoch,
                                 date_formats=ws.parent._date_formats, timedelta_formats=ws.parent._timedelta_formats)
        for idx, cells in parser.parse():
            if cells:
                last_row = max(last_row, idx)
                last_col = max(last_col, max(c["column"] for c in cells))
    return last_row, last_col


def csv_rows(filename: str, text: str) -> list[list[Any]]:
    try:
        rows = ([uncsv_cell(c) for c in row] for row in csv.reader(io.StringIO(text)))
        return _bounded_rows(filename, filename, rows)
    except csv.Error as exc:  # a NUL byte, or a field past csv's own 128 KB limit
        raise Unreadable from exc
