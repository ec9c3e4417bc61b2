"""Safe text: control characters refused at input (422 naming the field), exports never formulas, never a 500."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from api.models import CapacityReport, Enterprise
from api.services import exports
from tests.api.conftest import Backend, World, build_world, ok, report_body, start

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api, reports=True)
    finally:
        client.__exit__(None, None, None)


def test_control_characters_are_refused_in_text_fields(world: World) -> None:
    admin = world.api.as_("root")
    r = admin.patch(f"/api/v1/enterprises/{world.firms['A']}", json={"name": "瓷厂\x07A"})
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["loc"] == ["body", "name"] and "U+0007" in error["msg"] and "控制字符" in error["msg"]
    clerk = world.api.as_("clerk-a")
    body = report_body("A")
    body["orders"][0]["id"] = "o\x1b1"
    r = clerk.put(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}", json=body)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "orders", 0, "id"]
    r = world.api.as_("coord").post(f"/api/v1/alliances/{world.alliance}/rounds",
                                    json={"name": "r", "start_date": "2026-12-07", "horizon_days": 3,
                                          "skills": ["form\x00ing"]})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "skills", 0]
    # A note may keep its line breaks.
    ok(clerk.put(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}",
                 json={**report_body("A"), "note": "第一行\n第二行\t备注"}), 201)


def test_templates_survive_stored_control_characters_and_never_hold_formulas(world: World) -> None:
    """Text stored before the checks (or by hand) still exports: cleaned, and a formula stays text."""
    factory = world.api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        session.execute(update(Enterprise).where(Enterprise.id == world.firms["B"]).values(name="瓷厂\x01B"))
        report = session.query(CapacityReport).filter_by(enterprise_id=world.firms["A"]).order_by(
            CapacityReport.version.desc()).first()
        assert report is not None
        payload = dict(report.payload)
        payload["orders"] = [{**payload["orders"][0], "id": FORMULA + "\x02"}]
        payload["blocked_partners"] = ["B"]
        report.payload = payload
        session.commit()
    clerk = world.api.as_("clerk-a")
    base = f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}/template"
    r = clerk.get(base)
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cell = wb["订单 orders"]["A2"]
    assert cell.value == FORMULA and cell.data_type == "s"  # text, not a formula; the control byte dropped
    assert wb["不合作企业 blocked"]["B2"].value == "瓷厂B"
    r = clerk.get(base, params={"format": "csv", "sheet": "orders"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + FORMULA


def test_plan_exports_neutralise_formulas() -> None:
    data = exports.to_csv(["order", "net"], [["=1+1", -5.0], ["@SUM(A1)", 3], ["-x", 0], ["安全", 1]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'@SUM(A1)", "'-x", "安全"]
    assert rows[1][1] == "-5.0"  # numbers stay numbers
