"""The ``alliance`` command: exit codes 0/1/2, the written plan, summaries in both languages, clear input errors."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import api.cli as cli
from alliance import Plan, check, load_scenario
from tests.conftest import SCENARIOS_DIR

TINY = SCENARIOS_DIR / "tiny-4.json"
runner = CliRunner()


def run(*args: str | Path) -> Any:
    result = runner.invoke(cli.app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    if not TINY.is_file():
        pytest.skip(f"no {TINY}")
    out = tmp_path_factory.mktemp("solve") / "plan.json"
    return out, run("solve", TINY, "-o", out, "--time-limit", "20", "--threads", "1")


def tiny_dict() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TINY.read_text(encoding="utf-8"))
    return data


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# ----- solve ----------------------------------------------------------------------------------------------------


def test_solve_writes_a_checked_plan_with_its_report(solved: tuple[Path, Any]) -> None:
    out, result = solved
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    plan = Plan.model_validate(data)
    s = load_scenario(TINY.read_text(encoding="utf-8"))
    assert check(s, plan).ok
    assert all({"from", "to"} <= set(loan) for loan in data["loans"])  # MODEL.md's JSON names
    assert data["report"]["checks"]["ok"] is True
    assert data["report"]["figures"]["objective"]["total"] == pytest.approx(plan.objective, abs=0.01)
    for text in ("求解状态", "已证明最优", "与人工就近撮合相比", "二次发单", "未完成订单", "方案已写入"):
        assert text in result.output
    # One thread and stopped at the gap: the output says the run is reproducible.
    assert "可重复：单线程" in result.output


def test_solve_in_chinese_has_no_english_status_or_code(solved: tuple[Path, Any]) -> None:
    """Chinese mode speaks Chinese: no status word, skill/machine code or day offset in the output."""
    out, result = solved
    s = load_scenario(TINY.read_text(encoding="utf-8"))
    words = [st.value for st in cli.Status] + list(s.skills) + list(s.machines)
    for word in words:
        assert word not in result.output, word
    report = json.loads(out.read_text(encoding="utf-8"))["report"]
    assert report["subcontracts"] or report["loans"]
    for move in report["subcontracts"] + report["loans"]:
        name = move.get("site_name") or move["lender_name"]
        assert name[:4] in result.output  # firm names beside their codes (a narrow table may wrap the rest)
        first = move["days"][0]
        month, day = int(first["date"][5:7]), int(first["date"][8:10])
        assert f"{month}月{day}日" in result.output  # dates, not offsets such as "3:175"
    assert not re.search(r"(?<![\d.,])\d{1,3}:\d", result.output)


def test_the_solver_cannot_write_to_stdout_unless_verbose(capfd: pytest.CaptureFixture[str]) -> None:
    """HiGHS prints some lines from C++ straight to descriptor 1: only a descriptor-level redirect hides them."""
    import os

    from rich.console import Console

    with cli.solver_quiet(False, Console()):
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution\n")
    assert "HighsMipSolverData" not in capfd.readouterr().out
    with cli.solver_quiet(True, Console()):
        os.write(1, b"HighsMipSolverData chatter\n")
    assert "HighsMipSolverData chatter" in capfd.readouterr().out


def test_all_lists_every_row_and_the_cut_says_how(tmp_path: Path) -> None:
    from api.render import render_summary

    s = load_scenario(TINY.read_text(encoding="utf-8"))
    result = run("solve", TINY, "-o", tmp_path / "p.json", "--time-limit", "20", "--threads", "1", "--all")
    assert result.exit_code == 0 and "未列出" not in result.output
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["report"]
    console = cli.Console(record=True, width=200)
    console.print(render_summary(data, "zh", max_rows=0))
    text = console.export_text()
    if data["subcontracts"] or data["loans"] or data["unmet"]:
        assert "加 --all 显示全部" in text
    assert s.alliance.name in text


def test_solve_in_english(tmp_path: Path) -> None:
    result = run("solve", TINY, "-o", tmp_path / "p.json", "--time-limit", "20", "--lang", "en", "--backend", "highs",
                 "--threads", "1")
    assert result.exit_code == 0, result.output
    for text in ("Status", "Against nearest-first matching by hand", "Unmet orders", "Plan written to"):
        assert text in result.output
    assert "求解状态" not in result.output


def test_solve_rejects_an_unknown_backend(tmp_path: Path) -> None:
    result = run("solve", TINY, "-o", tmp_path / "p.json", "--backend", "gurobi")
    assert result.exit_code == 2
    assert not (tmp_path / "p.json").exists()


# ----- check ----------------------------------------------------------------------------------------------------


def test_check_accepts_the_solved_plan(solved: tuple[Path, Any]) -> None:
    out, _ = solved
    objective = json.loads(out.read_text(encoding="utf-8"))["objective"]
    result = run("check", TINY, out)
    assert result.exit_code == 0, result.output
    assert f"{objective:,.2f}" in result.output and "一致" in result.output and "9 条规则" in result.output


def test_check_lists_the_rules_a_broken_plan_breaks(solved: tuple[Path, Any], tmp_path: Path) -> None:
    out, _ = solved
    data = json.loads(out.read_text(encoding="utf-8"))
    first = data["production"][0]
    order = next(o for o in tiny_dict()["orders"] if o["id"] == first["order"])
    first["quantity"] = order["quantity"] + 1  # more than the order holds, and more than the site can make
    result = run("check", TINY, write(tmp_path / "broken.json", data), "--lang", "en")
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert "violations" in output
    assert "units planned, quantity is" in output  # rule 3's message
    assert "does NOT match" in output  # the reported objective no longer fits the rows


def test_check_a_plan_whose_only_fault_is_its_objective(solved: tuple[Path, Any], tmp_path: Path) -> None:
    out, _ = solved
    data = json.loads(out.read_text(encoding="utf-8"))
    data["objective"] += 100
    result = run("check", TINY, write(tmp_path / "claims-more.json", data))
    assert result.exit_code == 1
    assert "不一致" in result.output


# ----- invalid input: exit 2, field path, value, message, no traceback ------------------------------------------


def test_missing_scenario_file(tmp_path: Path) -> None:
    result = run("solve", tmp_path / "nope.json", "-o", tmp_path / "p.json")
    assert result.exit_code == 2
    assert "file not found" in result.output and "nope.json" in result.output


def test_scenario_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"alliance": {"id": "x",\n  oops}', encoding="utf-8")
    result = run("solve", bad, "-o", tmp_path / "p.json")
    assert result.exit_code == 2
    assert "invalid JSON" in result.output and "line 2" in result.output


def test_scenario_field_errors_name_the_path_and_the_value(tmp_path: Path) -> None:
    data = tiny_dict()
    del data["orders"][0]["due_day"]
    data["enterprises"][1]["idle_workers"]["glazing"] = -2
    data["enterprises"][1]["idle_workers"]["forming"] = [0, 0, -1, 3, 1]
    result = run("solve", write(tmp_path / "s.json", data), "-o", tmp_path / "p.json")
    assert result.exit_code == 2
    output = " ".join(result.output.split())  # rich may wrap long lines
    assert "orders[0].due_day = (missing" in output
    assert "enterprises[1].idle_workers.glazing = -2: Input should be greater than or equal to 0" in output
    assert "enterprises[1].idle_workers.forming[2] = -1:" in output
    assert "constrained-int" not in output  # pydantic's union tags are no field of the document
    assert not (tmp_path / "p.json").exists()


def test_cross_reference_errors_name_the_path_and_the_value(tmp_path: Path) -> None:
    data = tiny_dict()
    data["orders"][3]["owner"] = "E999"
    data["enterprises"][0]["blocked_partners"] = ["E001"]
    result = run("check", write(tmp_path / "s.json", data), write(tmp_path / "p.json", {"status": "UNKNOWN"}))
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert 'orders[3].owner = "E999": 未知企业' in output
    assert 'enterprises[0].blocked_partners[0] = "E001"' in output


def test_a_scenario_that_is_not_an_object(tmp_path: Path) -> None:
    result = run("check", write(tmp_path / "s.json", [1, 2]), write(tmp_path / "p.json", {}))
    assert result.exit_code == 2
    assert "document" in result.output


def test_plan_field_errors_name_the_path(tmp_path: Path) -> None:
    plan = {"status": "FEASIBLE", "production": [], "loans": [
        {"skill": "glazing", "from": "E002", "to": "E004", "day": 1, "workers": 0}]}
    result = run("check", TINY, write(tmp_path / "p.json", plan))
    assert result.exit_code == 2
    assert "loans[0].workers" in result.output and "0" in result.output


def test_a_directory_is_not_a_plan(tmp_path: Path) -> None:
    result = run("check", TINY, tmp_path)
    assert result.exit_code == 2
    assert "directory" in result.output


# ----- demo and serve -------------------------------------------------------------------------------------------


def test_demo_without_the_example_file_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "examples" / "dehua-24.json"
    monkeypatch.setattr(cli, "DEMO_SCENARIO", missing)
    result = run("demo")
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "example scenario not found" in output and "--scenario" in output


def test_demo_on_another_scenario(tmp_path: Path) -> None:
    result = run("demo", "--scenario", TINY, "--time-limit", "20", "--lang", "en", "-o", tmp_path / "demo.json")
    assert result.exit_code == 0, result.output
    assert "Scenario:" in result.output and "Check passed" in result.output
    assert Plan.model_validate_json((tmp_path / "demo.json").read_text(encoding="utf-8")).production


def test_demo_locates_the_example_beside_the_package() -> None:
    expected = Path(cli.__file__).resolve().parents[1] / "examples" / "dehua-24.json"
    assert expected == cli.DEMO_SCENARIO


def test_serve_hands_its_options_to_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("api.server")
    fake.serve = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "api.server", fake)
    result = run("serve", "--host", "0.0.0.0", "--port", "8123", "--database-url", "sqlite:///x.db")
    assert result.exit_code == 0, result.output
    assert calls == [{"host": "0.0.0.0", "port": 8123, "database_url": "sqlite:///x.db"}]
    assert run("serve", "--port", "70000").exit_code == 2


def test_main_is_the_entry_point(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["alliance", "--help"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("solve", "check", "demo", "serve"):
        assert command in out
