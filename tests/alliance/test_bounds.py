"""Plausible values: the probes of issue 13 are refused with a message naming the quantity, value and limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from alliance import bounds
from alliance.scenario import load_scenario
from api import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "scenarios"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def base() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / "tiny-4.json").read_text(encoding="utf-8"))
    return data


def errors_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as exc:
        load_scenario(data)
    return [dict(e) for e in exc.value.errors()]


@pytest.mark.parametrize(("path", "value", "label"), [
    (("orders", 0, "quantity"), 10**30, "数量"),
    (("orders", 0, "value_per_unit"), 1e308, "单件价值"),
    (("orders", 0, "min_lot"), 10**18, "最小批量"),
    (("enterprises", 0, "wage_per_day"), 1e9, "日工资"),
    (("policy", "link_cost"), 1e308, "对接成本"),
    (("policy", "commute_cost_per_km"), 1e7, "通勤费"),
])
def test_absurd_values_are_refused_naming_value_and_limit(path: tuple[Any, ...], value: Any, label: str) -> None:
    data = base()
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    (error,) = [e for e in errors_of(data) if tuple(e["loc"]) == path]
    assert error["type"] == "too_large" and label in error["msg"] and "上限" in error["msg"]


def test_tiny_minutes_many_workers_far_dates_and_many_skills_are_refused() -> None:
    data = base()
    data["orders"][0]["labor_minutes_per_unit"] = 1e-320
    data["enterprises"][0]["idle_workers"] = {data["skills"][0]: 10**12}
    data["start_date"] = "9999-12-31"
    errors = {tuple(e["loc"][:3]): e for e in errors_of(data)}
    assert ("orders", 0, "labor_minutes_per_unit") in errors
    assert ("enterprises", 0, "idle_workers") in errors
    assert "9999-12-31" in errors[("start_date",)]["msg"]
    data = base()
    data["skills"] = [f"s{i}" for i in range(20_000)]
    assert any(tuple(e["loc"]) == ("skills",) for e in errors_of(data))


def test_every_shared_scenario_and_example_stays_valid() -> None:
    files = sorted(DATA.glob("*.json")) + sorted(EXAMPLES.glob("*.json"))
    assert len(files) >= 5
    for path in files:
        load_scenario(path.read_text(encoding="utf-8"))


def test_the_generator_stays_within_bounds() -> None:
    from alliance.generator import generate_alliance

    for seed in range(3):
        load_scenario(generate_alliance(300, seed=seed).model_dump(mode="json"))


def test_cli_names_the_field_and_limit(tmp_path: Path) -> None:
    data = base()
    data["orders"][0]["quantity"] = 10**30
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["check", str(path), str(path)])
    assert result.exit_code != 0
    assert "orders[0].quantity" in result.output and str(bounds.MAX_QUANTITY) in result.output
