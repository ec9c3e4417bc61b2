"""The in-repository scenario copy matches ``../shared/scenarios`` when that folder is there."""

from __future__ import annotations

import pytest

from tests.conftest import OUTSIDE_SCENARIOS_DIR, SCENARIOS_DIR

COPIED = sorted(p.name for p in SCENARIOS_DIR.iterdir() if p.name != "SOURCE.md")


def test_the_copy_holds_scenarios_and_their_references() -> None:
    assert "REFERENCE.md" in COPIED
    assert len([name for name in COPIED if name.endswith(".json")]) >= 8


def test_the_copy_matches_the_shared_folder() -> None:
    if not OUTSIDE_SCENARIOS_DIR.is_dir():
        pytest.skip(f"{OUTSIDE_SCENARIOS_DIR} is absent (a clone on its own): nothing to compare the copy with")
    outside = sorted(p.name for p in OUTSIDE_SCENARIOS_DIR.iterdir() if p.is_file())
    assert outside == COPIED, f"copy {SCENARIOS_DIR} and {OUTSIDE_SCENARIOS_DIR} list different files"
    for name in outside:
        assert (OUTSIDE_SCENARIOS_DIR / name).read_bytes() == (SCENARIOS_DIR / name).read_bytes(), (
            f"{name} differs from {OUTSIDE_SCENARIOS_DIR / name}: copy it into {SCENARIOS_DIR}"
        )
