"""The domain package stands alone: importing all of ``alliance`` pulls in no solver, web or database library."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT

FORBIDDEN = ("ortools", "fastapi", "starlette", "sqlalchemy", "uvicorn", "highspy", "solver", "api")

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import alliance
    imported = ["alliance"]
    for info in pkgutil.walk_packages(alliance.__path__, "alliance."):
        importlib.import_module(info.name)
        imported.append(info.name)
    roots = sorted({name.split(".")[0] for name in sys.modules})
    print(json.dumps({"imported": imported, "roots": roots}))
    """
)


def test_importing_every_alliance_module_loads_no_solver_web_or_database_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # The probe really walked the package (a probe that imports nothing would pass vacuously).
    assert {"alliance.scenario", "alliance.check", "alliance.plan", "alliance.replan"} <= set(report["imported"])
    leaked = sorted(set(FORBIDDEN) & set(report["roots"]))
    assert not leaked, f"importing alliance pulled in {leaked}"


def test_the_probe_would_notice_a_leak() -> None:
    # The same detection, with a module known to import ortools: guards against a probe that can never fail.
    done = subprocess.run(
        [sys.executable, "-c", "import json, sys, solver; print(json.dumps(sorted({m.split('.')[0] "
         "for m in sys.modules})))"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ortools" in json.loads(done.stdout.strip().splitlines()[-1])
