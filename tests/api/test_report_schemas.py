"""The stored-report view (api/report_schemas.py) is ReportIn without its checks: the two keep the same fields."""

from __future__ import annotations

from api.report_schemas import StoredOrder, StoredReport
from api.schemas import ReportIn, ReportOrder


def test_the_stored_report_has_the_submitted_reports_fields() -> None:
    assert list(StoredReport.model_fields) == list(ReportIn.model_fields)
    assert list(StoredOrder.model_fields) == list(ReportOrder.model_fields)
