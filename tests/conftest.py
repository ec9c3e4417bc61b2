"""Shared test configuration: where the scenarios live, and hypothesis profiles.

The shared scenarios and their reference values are copied into ``tests/data/scenarios`` (source:
``shared/scenarios`` of the steering repository, see its ``SOURCE.md``), so a fresh clone passes its tests
with nothing beside it.  ``tests/test_shared_copy.py`` compares the copy with ``../shared`` when that
folder is there, and skips, saying so, when it is not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.hashing import cheap_password_hashing

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``shared/`` beside the checkout (as CI lays it out), or ``ALLIANCE_SHARED_DIR``; may be absent."""
    override = os.environ.get("ALLIANCE_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


# The in-repository copy: tests never depend on a folder outside the checkout.
SCENARIOS_DIR = REPO_ROOT / "tests" / "data" / "scenarios"
SHARED_SCENARIOS = sorted(SCENARIOS_DIR.glob("*.json"))
OUTSIDE_SCENARIOS_DIR = shared_dir() / "scenarios"

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
        pytest.fail(f"the scenario copy under {SCENARIOS_DIR} is missing")
    return SCENARIOS_DIR


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its smallest cost for the whole run (tests/hashing.py): the API tests create dozens of accounts and
    the web tests' live servers run in this process; production keeps pwdlib's defaults."""
    with cheap_password_hashing():
        yield
