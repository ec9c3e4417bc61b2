"""The solver benchmark's report keeps the sections other benchmarks wrote into the same file."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import KEPT_SECTIONS, write_markdown


def test_a_rerun_rewrites_its_own_part_and_keeps_the_county_figures(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    county = f"{KEPT_SECTIONS}\n## County\n| gen-3000 | 3.96% |\n<!-- county:end -->\n\n## Flood\nfigures\n"
    report.write_text("# Benchmarks\nold planner table\n\n" + county, encoding="utf-8")
    write_markdown(report, "# Benchmarks\nnew planner table\n")
    text = report.read_text(encoding="utf-8")
    assert "new planner table" in text and "old planner table" not in text
    assert text.endswith(county)


def test_a_first_report_is_written_whole(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    write_markdown(report, "# Benchmarks\ntable\n")
    assert report.read_text(encoding="utf-8") == "# Benchmarks\ntable\n"
