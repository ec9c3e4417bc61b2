"""Fan-out benchmark: one county solve with 1 and then 2 worker processes over Celery (Redis), in one run.

From the repository root, with Redis running::

    python -m benchmarks.fanout                                  # generate_alliance(800), 120 s per run
    python -m benchmarks.fanout --firms 300 --time-limit 60 --broker redis://127.0.0.1:6379/5

This process plays the job's worker process: it builds the model and runs the solver with the Celery
``PartMap`` of ``api/distributed/fanout.py``, exactly as ``alliance.run_job`` does, so the neighbourhoods of the
large block go to the parts queue.  For "2 workers" one ``alliance worker --concurrency 1`` subprocess is started
beside it and takes neighbourhoods off the queue; for "1 worker" none is, and this process solves them all.
Printed: objective, gap, gain over matching by hand, neighbourhoods solved here and elsewhere, and the ratios
2 workers / 1 worker.  The machine is shared: figures are noisy and nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    alliance = str(Path(sys.executable).with_name("alliance"))
    return subprocess.Popen([alliance, "worker", "--concurrency", "1", "--loglevel", "info"], cwd=REPO, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_workers(app: Any, n: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.inspect(timeout=1.0).ping() or {}) >= n:
            return
        time.sleep(0.5)
    raise SystemExit(f"{n} worker(s) did not answer in {timeout} s")


def run_once(scenario: Any, settings: Any, workers: int, time_limit: float, env: dict[str, str]) -> dict[str, Any]:
    from api.distributed.celery_app import make_celery
    from api.distributed.fanout import CeleryPartMap
    from solver import SolveOptions, solve

    app = make_celery(settings)
    procs = [_start_worker(env, Path(f"/tmp/alliance-fanout-worker-{k}.log")) for k in range(workers - 1)]
    try:
        _wait_for_workers(app, workers - 1)
        part_map = CeleryPartMap(app, settings, parallelism=workers)
        options = dataclasses.replace(SolveOptions(time_limit_s=time_limit, threads=1), part_map=part_map)
        started = time.monotonic()
        plan = solve(scenario, options)
        elapsed = time.monotonic() - started
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    baseline = (plan.report or {}).get("manual_baseline", {})
    return {"workers": workers, "objective": plan.objective, "bound": plan.bound, "gap": plan.gap,
            "manual": baseline.get("objective"), "gain": baseline.get("objective_improvement"),
            "local": part_map.local, "remote": part_map.remote, "elapsed_s": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="write the figures into this file's Celery fan-out section (e.g. BENCHMARKS.md)")
    args = parser.parse_args()
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("celery").setLevel(logging.WARNING)

    from alliance.generator import generate_alliance
    from api.settings import Settings

    queue = f"alliance.bench.{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ALLIANCE_BROKER_URL": args.broker, "ALLIANCE_BROKER_QUEUE": queue}
    settings = Settings(broker_url=args.broker, broker_queue=queue)
    scenario = generate_alliance(args.firms, seed=args.seed)
    rows = [run_once(scenario, settings, w, args.time_limit, env) for w in (1, 2)]
    print(f"generate_alliance({args.firms}, seed={args.seed}), {args.time_limit:.0f} s, 1 thread per process, "
          f"{os.cpu_count()} cores")
    print(f"{'workers':>7} {'objective':>14} {'gap':>7} {'vs hand':>12} {'parts here':>10} {'parts elsewhere':>15} "
          f"{'elapsed':>8}")
    for r in rows:
        print(f"{r['workers']:>7} {r['objective']:>14,.0f} {100 * (r['gap'] or 0):>6.2f}% {r['gain'] or 0:>+12,.0f} "
              f"{r['local']:>10} {r['remote']:>15} {r['elapsed_s']:>7.1f}s")
    one, two = rows
    parts = (two["local"] + two["remote"]) / max(1, one["local"] + one["remote"])
    ratio = (f"ratio 2/1 workers: neighbourhoods solved {parts:.2f}x, "
             f"objective {two['objective'] / one['objective']:.4f}, "
             f"gain over hand {(two['gain'] or 0) / max(1.0, one['gain'] or 0):.2f}x")
    print(ratio)
    if args.markdown is not None:
        _write_section(args.markdown, args, rows, ratio)


BEGIN, END = "<!-- fanout:begin -->", "<!-- fanout:end -->"


def _write_section(path: Path, args: Any, rows: list[dict[str, Any]], ratio: str) -> None:
    """Replace (or append) the marked section; benchmarks/run.py --render-only rewrites the file without it."""
    lines = [BEGIN, "", "## Celery fan-out: 1 vs 2 workers / Celery 扇出：1 个与 2 个工作进程", "",
             f"`python -m benchmarks.fanout --firms {args.firms} --time-limit {args.time_limit:.0f} --markdown "
             f"BENCHMARKS.md`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores shared "
             "with other work, 1 thread per process, Redis broker. The job's process solves the neighbourhoods "
             "nobody else claimed; with 2 workers one more `alliance worker` process takes them off the queue.", "",
             "| workers | objective | gap | vs hand | neighbourhoods in the job's process | by the other worker "
             "| elapsed |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['workers']} | {r['objective']:,.0f} | {100 * (r['gap'] or 0):.2f}% "
                     f"| {r['gain'] or 0:+,.0f} | {r['local']} | {r['remote']} | {r['elapsed_s']:.1f} s |")
    lines += ["", ratio, "", END]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    section = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
