"""Solver benchmark: our planner against a plain MILP handed to HiGHS and against nearest-first matching by hand.

One command, from the repository root::

    python -m benchmarks.run                    # full run (~30-40 min): 24, 100, 300, 800 firms + shared scenarios
    python -m benchmarks.run --quick            # smoke check: 24 and 100 firms, short limits, no shared scenarios
    python -m benchmarks.run --sizes 24,100 --time-limit 5 --no-shared
    python -m benchmarks.run --render-only      # rewrite BENCHMARKS.md from benchmarks/results.json

For every case the three methods run one after the other, each in a fresh
``multiprocessing`` spawn child (so its peak memory is its own, native solver
memory included), on the same scenario and in the same run, so ratios compare
figures taken under the same load.  The machine is shared: times are noisy and
nothing here asserts on them.  This is not part of the test suite.

Outputs: a table on the console, ``benchmarks/results.json`` (raw figures) and
``BENCHMARKS.md`` (machine, command, tables, targets).  A ``--quick`` run writes
``benchmarks/results-quick.json`` and leaves ``BENCHMARKS.md`` alone unless
``--markdown`` names a file.

This module runs the cases and holds the command line; the console table and
the markdown report are drawn from the results dicts by :mod:`benchmarks.tables`.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import multiprocessing
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from alliance.generator import generate_alliance, scenario_to_json, tightness
from alliance.scenario import Scenario, load_scenario
from benchmarks.measure import METHODS, run_method, solver_digest
from benchmarks.tables import check_cell, console_summary, money, pct, render_markdown

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the checkout when CI lays it out, else the copy the tests use (tests/data/scenarios).
SHARED_SCENARIOS = next(
    (d for d in (REPO.parent / "shared" / "scenarios", REPO / "tests" / "data" / "scenarios") if d.is_dir()),
    REPO / "tests" / "data" / "scenarios",
)
SHARED_CASES = ("park-24.json", "park-24-tight.json", "tight-12.json")
RESULTS_FILE = REPO / "benchmarks" / "results.json"
QUICK_RESULTS_FILE = REPO / "benchmarks" / "results-quick.json"
MARKDOWN_FILE = REPO / "BENCHMARKS.md"

DEFAULT_SIZES = (24, 100, 300, 800)
# Time limits (s) per alliance size, from the targets in benchmarks.tables; a size not listed takes the limit of
# the next larger one.
TIME_LIMITS = {24: 10.0, 100: 30.0, 300: 60.0, 800: 300.0}
QUICK_SIZES = (24, 100)
QUICK_TIME_LIMITS = {24: 3.0, 100: 8.0}
SEED = 0
RELATIVE_GAP = 1e-4  # the planner's default (HiGHS' own default too); both solvers get the same


@dataclass(frozen=True)
class Case:
    name: str
    source: str  # "generated" or the shared file's name
    firms: int
    orders: int
    days: int
    link_cost: float
    tight: bool
    tightness: float
    backlog_value: float
    time_limit_s: float


def limit_for(firms: int, limits: dict[int, float]) -> float:
    for size in sorted(limits):
        if firms <= size:
            return limits[size]
    return limits[max(limits)]


def read_reference(path: Path) -> dict[str, dict[str, Any]]:
    """REFERENCE.md's table: scenario file -> objective, bound, status."""
    row = re.compile(
        r"^\|\s*`(?P<name>[^`]+\.json)`\s*\|\s*(?P<firms>\d+)\s*\|.*?\|\s*(?P<objective>-?[\d.]+)\s*\|"
        r"\s*(?P<bound>-?[\d.]+)\s*\|\s*[\d.]+%\s*\|\s*(?P<status>[^|]+?)\s*\|\s*$"
    )
    refs: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return refs
    for line in path.read_text(encoding="utf-8").splitlines():
        m = row.match(line)
        if m:
            refs[m["name"]] = {"objective": float(m["objective"]), "bound": float(m["bound"]), "status": m["status"]}
    return refs


def describe(name: str, source: str, s: Scenario, tight: bool, limit: float) -> Case:
    return Case(
        name=name, source=source, firms=len(s.enterprises), orders=len(s.orders), days=s.horizon_days,
        link_cost=s.policy.link_cost, tight=tight, tightness=round(tightness(s), 3),
        backlog_value=sum(o.quantity * o.value_per_unit for o in s.orders), time_limit_s=limit,
    )


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass

    # Porcelain lines are "XY path": the path is what follows the two status letters.
    status = _git("status", "--porcelain", "--", "solver", "alliance") or ""
    dirty = [line[2:].strip() for line in status.splitlines()]
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": cpu,
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "ortools": importlib.metadata.version("ortools"),
        "highspy": importlib.metadata.version("highspy"),
        "commit": (_git("rev-parse", "HEAD") or "unknown").strip(),
        # Uncommitted changes in the planner's code at start: the commit alone does not say what was measured.
        "solver_dirty": dirty,
        "loadavg_start": list(os.getloadavg()),
    }


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def commit_of_digest(digest: str, limit: int = 40) -> str:
    """The newest of the last ``limit`` commits touching solver/ whose solver/*.py has ``digest``, else
    "uncommitted" (the planner was being edited when the child imported it).  Read-only git commands only."""
    for commit in (_git("log", f"-{limit}", "--format=%H", "--", "solver") or "").split():
        files: dict[str, bytes] = {}
        for name in (_git("ls-tree", "--name-only", commit, "solver/") or "").split():
            if name.endswith(".py"):
                shown = subprocess.run(["git", "show", f"{commit}:{name}"], cwd=REPO, capture_output=True, check=False)
                files[Path(name).name] = shown.stdout
        if files and solver_digest(files) == digest:
            return commit[:10]
    return "uncommitted"


def run_child(method: str, scenario_json: str, case: Case, threads: int) -> dict[str, Any]:
    """Run one method in a fresh spawn child; a child that crashes or overruns is reported, not fatal."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=run_method,
        args=(method, scenario_json, case.time_limit_s, threads, SEED, RELATIVE_GAP, send),
        name=f"bench-{method}-{case.name}",
    )
    # Building, checking and the spawn itself come on top of the solver's limit.
    hard_limit = case.time_limit_s + max(120.0, case.time_limit_s)
    t0 = time.monotonic()
    proc.start()
    send.close()
    result: dict[str, Any] | None = None
    while time.monotonic() - t0 < hard_limit:
        if receive.poll(1.0):
            try:
                result = receive.recv()
            except EOFError:
                result = None
            break
        if not proc.is_alive():
            break
    wall = time.monotonic() - t0
    started_at = datetime.datetime.now().astimezone() - datetime.timedelta(seconds=wall)
    if result is None:
        if proc.is_alive():
            proc.kill()
            result = {"error": f"killed after {wall:.0f} s (hard limit {hard_limit:.0f} s)"}
        else:
            result = {"error": f"child exited with code {proc.exitcode} and no result (out of memory?)"}
    proc.join(30)
    result["wall_s"] = wall
    result["started_at"] = started_at.isoformat(timespec="seconds")
    return result


def scenarios(args: argparse.Namespace) -> list[tuple[Case, str]]:
    limits = QUICK_TIME_LIMITS if args.quick else TIME_LIMITS
    out: list[tuple[Case, str]] = []
    for n in args.sizes:
        for tight in (False, True):
            s = generate_alliance(n, seed=SEED, tight=tight)
            limit = args.time_limit or limit_for(n, limits)
            out.append((describe(f"gen-{n}{'-tight' if tight else ''}", "generated", s, tight, limit),
                        scenario_to_json(s)))
    if args.shared:
        for file in SHARED_CASES:
            path = SHARED_SCENARIOS / file
            if not path.exists():
                print(f"  (skipped {path}: not found)", flush=True)
                continue
            text = path.read_text(encoding="utf-8")
            s = load_scenario(text)
            limit = args.time_limit or limit_for(len(s.enterprises), limits)
            out.append((describe(file.removesuffix(".json"), file, s, "tight" in file, limit), text))
    return out



def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes: '{text}' is not a comma-separated list of integers") from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"--sizes: '{text}' must list firm counts >= 1")
    return sizes


# Where the sections other benchmarks write begin (benchmarks/county.py, the fan-out and flood figures): a run of
# this one rewrites only what comes before, so the county figures are not lost with it.
KEPT_SECTIONS = "<!-- county:begin -->"


def write_markdown(path: Path, rendered: str) -> None:
    """Write this benchmark's report into ``path``, keeping what other benchmarks wrote after it."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = old[old.index(KEPT_SECTIONS):] if KEPT_SECTIONS in old else ""
    path.write_text(rendered.rstrip("\n") + ("\n\n" + kept if kept else "\n"), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="24 and 100 firms, short limits, no shared scenarios")
    parser.add_argument("--sizes", type=parse_sizes, default=None, help="firm counts, e.g. 24,100,300,800")
    parser.add_argument("--threads", type=int, default=2, help="threads for both solvers (default 2)")
    parser.add_argument("--time-limit", type=float, default=None, help="one time limit (s) for every case")
    parser.add_argument("--no-shared", dest="shared", action="store_false", default=None,
                        help="skip the shared scenarios")
    parser.add_argument("--methods", default=",".join(METHODS), help="subset of manual,ours,plain (debugging)")
    parser.add_argument("--markdown", type=Path, default=None, help="where to write the report")
    parser.add_argument("--results", type=Path, default=None, help="where to write the raw results")
    parser.add_argument("--render-only", action="store_true", help="rewrite the report from the results file")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error(f"--threads: {args.threads} must be >= 1")
    if args.time_limit is not None and args.time_limit <= 0:
        parser.error(f"--time-limit: {args.time_limit} must be > 0")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        parser.error(f"--methods: unknown {', '.join(unknown)} (expected {', '.join(METHODS)})")
    if args.sizes is None:
        args.sizes = list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.shared is None:
        args.shared = not args.quick
    results_file = args.results or (QUICK_RESULTS_FILE if args.quick else RESULTS_FILE)
    markdown_file = args.markdown or (None if args.quick else MARKDOWN_FILE)

    if args.render_only:
        saved = json.loads(results_file.read_text(encoding="utf-8"))
        target = markdown_file or MARKDOWN_FILE
        write_markdown(target, render_markdown(saved, seed=SEED))
        print(f"wrote {target} from {results_file}")
        return 0

    started = time.monotonic()
    info = machine_info()
    command = "python -m benchmarks.run" + ("" if argv is None and len(sys.argv) <= 1 else " " + shlex.join(
        sys.argv[1:] if argv is None else argv))
    print(f"benchmark at {info['commit'][:10]}, {info['cpu']}, nproc {info['nproc']}, "
          f"load {', '.join(f'{x:.2f}' for x in info['loadavg_start'])}", flush=True)
    refs = read_reference(SHARED_SCENARIOS / "REFERENCE.md")
    cases = scenarios(args)
    total_budget = sum(c.time_limit_s for c, _ in cases) * sum(m != "manual" for m in methods)
    print(f"{len(cases)} cases, solver time limits add up to {total_budget / 60:.1f} min", flush=True)
    data: dict[str, Any] = {
        "machine": info, "command": command, "threads": args.threads, "relative_gap": RELATIVE_GAP,
        "quick": args.quick, "results": [], "wall_minutes": 0.0,
    }
    for case, scenario_json in cases:
        print(f"\n[{case.name}] {case.firms} firms, {case.orders} orders, need/idle {case.tightness:.2f}, "
              f"limit {case.time_limit_s:g} s, load {os.getloadavg()[0]:.2f}", flush=True)
        entry: dict[str, Any] = {"case": asdict(case), "reference": refs.get(case.source)}
        for method in METHODS:
            if method not in methods:
                entry[method] = {"error": "not run"}
                continue
            r = run_child(method, scenario_json, case, args.threads)
            entry[method] = r
            if "error" in r:
                print(f"  {method:6s} ERROR: {r['error'].strip().splitlines()[-1]}", flush=True)
            else:
                print(f"  {method:6s} objective {money(r.get('objective')):>12s}  gap {pct(r.get('gap')):>7s}  "
                      f"status {r.get('status'):8s} check {check_cell(r):4s} {r.get('wall_s', 0):6.1f} s  "
                      f"peak {r.get('peak_mb', 0):6.0f} MB", flush=True)
        data["results"].append(entry)
        data["machine"]["loadavg_end"] = list(os.getloadavg())
        data["wall_minutes"] = (time.monotonic() - started) / 60
        # Written after every case, so a run cut short still leaves its figures.
        results_file.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")

    digests = {r["ours"].get("solver_digest") for r in data["results"]} - {None}
    data["solver_commits"] = {d: commit_of_digest(d) for d in sorted(digests)}
    results_file.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    print("\n" + console_summary(data["results"]), flush=True)
    print(f"\nload average at end: {', '.join(f'{x:.2f}' for x in data['machine']['loadavg_end'])}; "
          f"{data['wall_minutes']:.1f} min; raw results in {results_file}", flush=True)
    if markdown_file is not None:
        write_markdown(markdown_file, render_markdown(data, seed=SEED))
        print(f"wrote {markdown_file}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
