"""``alliance worker`` refuses to start without a broker, naming the setting."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app


def test_worker_needs_a_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLIANCE_BROKER_URL", raising=False)
    result = CliRunner().invoke(app, ["worker", "--concurrency", "1"])
    assert result.exit_code == 2
    assert "ALLIANCE_BROKER_URL" in result.output and "未设置" in result.output
