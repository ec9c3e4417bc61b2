"""Bounded parsing: bomb uploads and oversized bodies are refused with 413/422 naming the limit, in bounded memory.

The bomb files are built here, in memory, never committed.  Memory is measured with tracemalloc (Python
allocations, which is where openpyxl and the JSON parser put what they inflate); the margin is generous
(100 MB, the issue's bound) against the 6-8 GB the same probes took before the limits.
"""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from openpyxl import Workbook

from api import limits
from tests.api.conftest import Backend, World, build_world, start

MB = 1024 * 1024


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api, reports=False)
    finally:
        client.__exit__(None, None, None)


def url(world: World, suffix: str = "") -> str:
    return f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}{suffix}"


def peak_mb(probe: Callable[[], Any]) -> tuple[Any, float]:
    tracemalloc.start()
    try:
        result = probe()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / MB


def xlsx_with_sheet_xml(sheet_xml: bytes, shared: bytes | None = None, level: int = 9) -> bytes:
    """A minimal valid workbook whose one sheet ("订单 orders") is ``sheet_xml``, deflated."""
    ct = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          b'<Default Extension="xml" ContentType="application/xml"/>'
          b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
          b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          + (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
             b'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else b"")
          + b"</Types>")
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
          '<sheet name="订单 orders" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
    wb_rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
               b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
               b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
               + (b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  b'relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else b"")
               + b"</Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            zf.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


SHEET_HEAD = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def dimension_bomb(declared: bool) -> bytes:
    """Cells A1 and XFD1048576 only: a few KB that openpyxl pads to 17 billion cells."""
    dim = b'<dimension ref="A1:XFD1048576"/>' if declared else b""
    xml = (SHEET_HEAD + dim + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
           b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    return xlsx_with_sheet_xml(xml)


def test_dimension_bomb_is_refused_before_rows_are_built(world: World) -> None:
    clerk = world.api.as_("clerk-a")
    for declared in (True, False):
        data = dimension_bomb(declared)
        assert len(data) < 5000
        r, peak = peak_mb(partial(clerk.post, url(world, "/import"), files={"files": ("bomb.xlsx", data)}))
        assert r.status_code == 422, r.text
        error = r.json()["errors"][0]
        assert str(limits.MAX_ROWS) in error["msg"]
        assert error["where"].startswith("工作表“订单”")
        assert peak < 100, f"{peak:.0f} MB"


def test_inflating_string_is_refused_by_declared_size(world: World) -> None:
    # One shared string of 200 MB of "a": deflates to about 200 KB, far under the upload cap.
    size = 200 * MB
    shared = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              b'count="1" uniqueCount="1"><si><t>' + b"a" * size + b"</t></si></sst>")
    xml = SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    data = xlsx_with_sheet_xml(xml, shared)
    del shared
    assert len(data) < limits.MAX_XLSX_UNCOMPRESSED_BYTES
    clerk = world.api.as_("clerk-a")
    r, peak = peak_mb(lambda: clerk.post(url(world, "/import"), files={"files": ("big.xlsx", data)}))
    assert r.status_code == 413, r.text
    assert str(limits.MAX_XLSX_UNCOMPRESSED_BYTES) in r.json()["detail"] and "解压后" in r.json()["detail"]
    assert peak < 100, f"{peak:.0f} MB"


def test_long_cells_many_columns_and_rows_are_refused(world: World) -> None:
    clerk = world.api.as_("clerk-a")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "订单 orders"
    ws.append(["订单号 id", "x" * (limits.MAX_CELL_CHARS + 1)])
    out = io.BytesIO()
    wb.save(out)
    r = clerk.post(url(world, "/import"), files={"files": ("long.xlsx", out.getvalue())})
    assert r.status_code == 422 and str(limits.MAX_CELL_CHARS) in r.json()["errors"][0]["msg"]
    wide = (",".join(["工种 skill", "类别 kind"] + [f"day {d}" for d in range(limits.MAX_COLUMNS)]) + "\n").encode()
    r = clerk.post(url(world, "/import"), files={"files": ("wide.csv", wide)})
    assert r.status_code == 422 and str(limits.MAX_COLUMNS) in r.json()["errors"][0]["msg"]
    long_csv = ("企业编码 code\n" + "B\n" * (limits.MAX_ROWS + 5)).encode()
    r = clerk.post(url(world, "/import"), files={"files": ("rows.csv", long_csv)})
    assert r.status_code == 422 and str(limits.MAX_ROWS) in r.json()["errors"][0]["msg"]
    r = clerk.post(url(world, "/import"), files=[("files", (f"f{i}.csv", b"a\n")) for i in range(9)])
    assert r.status_code == 422 and str(limits.MAX_UPLOAD_FILES) in r.json()["detail"]


def test_import_errors_read_as_places_not_paths(world: World) -> None:
    """Issue 11: no raw "bad.csv.1." prefix; the place is said in words (field ``where``)."""
    clerk = world.api.as_("clerk-a")
    r = clerk.post(url(world, "/import"), files={"files": ("bad.csv", b"a,b\n1,2\n")})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["where"] == "文件 bad.csv 表头行 / file bad.csv, header row"
    r = clerk.post(url(world, "/import"), files={"files": ("fake.xlsx", b"PK not a zip")})
    assert r.json()["errors"][0]["where"] == "文件 fake.xlsx / file fake.xlsx"


def test_json_bodies_are_capped_before_parsing(world: World) -> None:
    clerk = world.api.as_("clerk-a")
    # 1,000,000 skill keys (about 14 MB): refused from the Content-Length, nothing parsed.
    body = json.dumps({"idle_workers": {f"s{i}": 1 for i in range(1_000_000)}}).encode()
    r, peak = peak_mb(lambda: clerk.put(url(world), content=body, headers={"Content-Type": "application/json"}))
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert str(limits.MAX_REPORT_BODY_BYTES) in r.json()["detail"]
    assert peak < 100, f"{peak:.0f} MB"
    # Streamed without a Content-Length: cut at the limit while reading.
    chunks = (b"x" * 65536 for _ in range(limits.MAX_REPORT_BODY_BYTES // 65536 + 2))
    r = clerk.put(url(world), content=chunks, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and str(limits.MAX_REPORT_BODY_BYTES) in r.json()["detail"]


def test_report_maps_and_lists_are_capped_and_errors_bounded(world: World) -> None:
    clerk = world.api.as_("clerk-a")
    many = {"idle_workers": {f"s{i}": 1 for i in range(limits.MAX_CODES + 1)}}
    r = clerk.put(url(world), json=many)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "idle_workers"]
    order = {"id": "o", "process": "forming", "skill": "forming", "quantity": 1, "labor_minutes_per_unit": 1,
             "due_day": 1, "value_per_unit": 1}
    r = clerk.put(url(world), json={"orders": [order] * (limits.MAX_ORDERS_PER_REPORT + 1)})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "orders"]
    # 1,500 bad orders: at most MAX_ERRORS listed, the rest counted.
    bad = [{**order, "id": f"o{i}", "quantity": -1} for i in range(1_500)]
    r = clerk.put(url(world), json={"orders": bad})
    problem = r.json()
    assert r.status_code == 422 and len(problem["errors"]) == limits.MAX_ERRORS
    assert problem["errors_omitted"] == 1_500 - limits.MAX_ERRORS and "1500" in problem["detail"]
