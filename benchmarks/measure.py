"""One measurement in a fresh process: a method (ours, plain MILP, hand matching) on one scenario.

:func:`run_method` is the target of a ``multiprocessing`` spawn child, so the
peak resident memory it reports (``ru_maxrss`` of the child itself) counts
everything the solve allocated, native solver memory included, and nothing a
previous solve left behind.  Only the library the method needs is imported, so
the base memory (interpreter, libraries, scenario) is comparable too.
"""

from __future__ import annotations

import hashlib
import os
import resource
import threading
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from alliance.check import check
from alliance.plan import Plan, Status, relative_gap
from alliance.scenario import Scenario, load_scenario

METHODS = ("manual", "ours", "plain")
SOLVER_DIR = Path(__file__).resolve().parent.parent / "solver"
# Gaps at which the time to reach them is recorded (the targets speak of 0.1%, 1%, 2%, 3% and 5%).
GAP_MARKS = (0.001, 0.01, 0.02, 0.03, 0.05)


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def solver_digest(files: dict[str, bytes] | None = None) -> str:
    """Short digest of the planner's source (``solver/*.py``), or of ``files`` (name -> content) when given.

    The planner may change while a long benchmark runs and every child imports it afresh, so each result
    records the code it ran; :func:`benchmarks.run.commit_of_digest` maps a digest back to a commit.
    """
    if files is None:
        files = {p.name: p.read_bytes() for p in SOLVER_DIR.glob("*.py")}
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()[:12]


def time_to_gaps(points: list[tuple[float, float | None, float | None]]) -> dict[str, float | None]:
    """First time (s) at which the best plan so far was within each mark of the best bound so far."""
    marks: dict[str, float | None] = {f"{m:g}": None for m in GAP_MARKS}
    best_obj: float | None = None
    best_bound: float | None = None
    for t, obj, bound in points:
        if obj is not None and (best_obj is None or obj > best_obj):
            best_obj = obj
        if bound is not None and (best_bound is None or bound < best_bound):
            best_bound = bound
        gap = relative_gap(best_obj, best_bound)
        if gap is None:
            continue
        for m in GAP_MARKS:
            if marks[f"{m:g}"] is None and gap <= m + 1e-12:
                marks[f"{m:g}"] = t
    return marks


def _plan_figures(s: Scenario, plan: Plan) -> dict[str, Any]:
    result = check(s, plan)
    return {
        "status": str(plan.status),
        # UNKNOWN / INFEASIBLE: no plan was found, so there is no objective to report (not even the empty plan's).
        "objective": None if plan.status in (Status.UNKNOWN, Status.INFEASIBLE) else result.objective,
        "reported_objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "check_ok": result.ok,
        "violations": [str(v) for v in result.violations[:5]],
        "violation_count": len(result.violations),
        "value_delivered": result.parts.value_delivered,
        "linked_pairs": len(result.parts.linked_pairs),
        "production_rows": len(plan.production),
        "loan_rows": len(plan.loans),
    }


def _manual(s: Scenario) -> dict[str, Any]:
    from alliance.manual import manual_plan

    base = peak_rss_mb()
    t0 = time.perf_counter()
    plan = manual_plan(s)
    elapsed = time.perf_counter() - t0
    return {"time_s": elapsed, "total_s": elapsed, "base_mb": base, **_plan_figures(s, plan)}


def _ours(s: Scenario, time_limit_s: float, threads: int, seed: int, gap: float) -> dict[str, Any]:
    digest = solver_digest()  # read just before the import, so it is the code this child runs
    from solver import Progress, SolveOptions, solve_model

    base = peak_rss_mb()
    points: list[tuple[float, float | None, float | None]] = []
    lock = threading.Lock()

    def on_progress(p: Progress) -> None:
        with lock:
            points.append((p.elapsed_s, p.objective, p.bound))

    t0 = time.perf_counter()
    plan, stats = solve_model(
        s, SolveOptions(time_limit_s=time_limit_s, relative_gap=gap, threads=threads, seed=seed),
        on_progress=on_progress,
    )
    total = time.perf_counter() - t0
    return {
        "build_s": stats.build_s,
        "solve_s": stats.solve_s,
        "total_s": total,
        "variables": stats.variables,
        "constraints": stats.constraints,
        "integer_variables": stats.integer_variables,
        "blocks": int(stats.extra.get("blocks", 0)),
        "termination": stats.termination,
        "time_to_gap": time_to_gaps(points),
        "progress_events": len(points),
        "solver_digest": digest,
        "base_mb": base,
        **_plan_figures(s, plan),
    }


def _plain(s: Scenario, time_limit_s: float, threads: int, seed: int, gap: float) -> dict[str, Any]:
    from benchmarks.plain_milp import solve_plain_milp

    base = peak_rss_mb()
    t0 = time.perf_counter()
    r = solve_plain_milp(s, time_limit_s=time_limit_s, relative_gap=gap, threads=threads, seed=seed)
    total = time.perf_counter() - t0
    return {
        "build_s": r.build_s,
        "solve_s": r.solve_s,
        "total_s": total,
        "variables": r.variables,
        "constraints": r.constraints,
        "nonzeros": r.nonzeros,
        "integer_variables": r.integer_variables,
        "termination": r.model_status,
        "solver_objective": r.solver_objective,
        "time_to_gap": time_to_gaps(r.trajectory),
        "progress_events": len(r.trajectory),
        "base_mb": base,
        **_plan_figures(s, r.plan),
    }


def measure(
    method: str, scenario_json: str, time_limit_s: float, threads: int, seed: int, gap: float,
) -> dict[str, Any]:
    if method not in METHODS:
        raise ValueError(f"method: unknown method '{method}', expected one of {', '.join(METHODS)}")
    s = load_scenario(scenario_json)
    if method == "manual":
        out = _manual(s)
    elif method == "ours":
        out = _ours(s, time_limit_s, threads, seed, gap)
    else:
        out = _plain(s, time_limit_s, threads, seed, gap)
    out["peak_mb"] = peak_rss_mb()
    return out


def run_method(
    method: str, scenario_json: str, time_limit_s: float, threads: int, seed: int, gap: float, conn: Connection,
) -> None:
    """Child-process entry point: measure, send the figures (or the traceback) through ``conn``."""
    # HiGHS prints its banner on stdout from C++; the parent's progress output stays readable without it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        result = measure(method, scenario_json, time_limit_s, threads, seed, gap)
    except Exception:
        result = {"error": traceback.format_exc(), "peak_mb": peak_rss_mb()}
    conn.send(result)
    conn.close()
