"""Shared test configuration: where the shared scenarios live, and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``shared/`` beside the checkout (as CI lays it out), or ``ALLIANCE_SHARED_DIR``."""
    override = os.environ.get("ALLIANCE_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


SCENARIOS_DIR = shared_dir() / "scenarios"
SHARED_SCENARIOS = sorted(SCENARIOS_DIR.glob("*.json"))

# Solves are CPU-bound and the machines are shared: no per-example deadline, few examples.
settings.register_profile(
    "alliance",
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# HYPOTHESIS_PROFILE=thorough runs ten times the examples, for a manual deep check.
settings.register_profile("thorough", parent=settings.get_profile("alliance"), max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "alliance"))


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    if not SHARED_SCENARIOS:
        pytest.skip(f"no shared scenarios under {SCENARIOS_DIR}")
    return SCENARIOS_DIR
