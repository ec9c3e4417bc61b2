"""County benchmark: county-sized solves over Celery with 1 and 2 worker processes, measured in one run.

From the repository root, with Redis running (issue 12 item 6)::

    python -m benchmarks.county                                   # 800 and 3000 firms, loose and tight, 600 s
    python -m benchmarks.county --firms 300 --kinds tight --time-limit 60 --marks 30,60   # a quick look
    python -m benchmarks.county --markdown BENCHMARKS.md --json benchmarks/results/county.json

Each case is ``generate_alliance(N, seed=0)`` (``tight=True`` for "tight").  Each solve runs in a fresh spawned
process that plays the job's worker process: it builds the model and runs the solver with the Celery ``PartMap``
of ``api/distributed/fanout.py``, exactly as ``alliance.run_job`` does, so the neighbourhoods of the large
block go to the parts queue.  For "2 workers" one ``alliance worker --concurrency 1`` process group is started
beside it and takes neighbourhoods off the queue; for "1 worker" none is, and the job's process solves them all.

Printed per case: the gap and the plan at each mark (from the solver's progress events: the best plan and bound
known at that second, model building included), the gain over nearest-first matching by hand, the
neighbourhoods solved in each process, and the peak memory of every process (the job's ``ru_maxrss``; the other
worker's largest ``VmHWM`` over its process group, polled while it runs).  Then the ratios 2 / 1 workers.  The
machine may be shared: the load average is printed at start and end; nothing here asserts on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- county:begin -->", "<!-- county:end -->"


# -- the other worker's process group ------------------------------------------------------------------------------


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp
            pids.append(int(entry))
    return pids


def _peak_mb(pid: int) -> float:
    # VmHWM: the process's own peak resident set, kept by the kernel for its whole life.
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class WorkerGroup:
    """One ``alliance worker --concurrency 1`` process group, its peak memory polled until it is killed."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        alliance = str(Path(sys.executable).with_name("alliance"))
        self.proc = subprocess.Popen([alliance, "worker", "--concurrency", "1", "--loglevel", "info"], cwd=REPO,
                                     env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._poller = threading.Thread(target=self._poll, daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._stop.wait(1.0):
            for pid in _group_pids(self.proc.pid):
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), _peak_mb(pid))

    def kill(self) -> float:
        """Kill the group; the largest peak of any of its processes, in MB."""
        for pid in _group_pids(self.proc.pid):
            self.peaks[pid] = max(self.peaks.get(pid, 0.0), _peak_mb(pid))
        self._stop.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        return max(self.peaks.values(), default=0.0)


def _wait_for_workers(app: Any, n: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while n > 0 and time.monotonic() < deadline:
        if len(app.control.inspect(timeout=1.0).ping() or {}) >= n:
            return
        time.sleep(0.5)
    if n > 0:
        raise SystemExit(f"{n} worker(s) did not answer in {timeout} s")


# -- the job's process ---------------------------------------------------------------------------------------------


def _job_process(firms: int, tight: bool, seed: int, workers: int, time_limit: float, broker: str, queue: str,
                 out: Any) -> None:
    """Runs in a spawned child, so that its peak memory is this solve's alone."""
    os.environ["ALLIANCE_BROKER_URL"] = broker
    os.environ["ALLIANCE_BROKER_QUEUE"] = queue
    from alliance import check
    from alliance.generator import generate_alliance
    from api.distributed.celery_app import make_celery
    from api.distributed.fanout import CeleryPartMap
    from api.settings import Settings
    from solver import SolveOptions, solve

    settings = Settings(broker_url=broker, broker_queue=queue)
    scenario = generate_alliance(firms, seed=seed, tight=tight)
    trace: list[tuple[float, float | None, float | None]] = []
    part_map = CeleryPartMap(make_celery(settings), settings, parallelism=workers)
    options = SolveOptions(time_limit_s=time_limit, threads=1, part_map=part_map)
    started = time.monotonic()
    plan = solve(scenario, options, on_progress=lambda p: trace.append((p.elapsed_s, p.objective, p.bound)))
    elapsed = time.monotonic() - started
    baseline = (plan.report or {}).get("manual_baseline", {})
    out.send({
        "objective": plan.objective, "bound": plan.bound, "gap": plan.gap, "elapsed_s": elapsed,
        "stop_reason": plan.stats.stop_reason.value if plan.stats and plan.stats.stop_reason else "",
        "manual": baseline.get("objective"), "check": check(scenario, plan).ok,
        "local": part_map.local, "remote": part_map.remote, "trace": trace,
        "job_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    out.close()


def at_mark(trace: list[tuple[float, float | None, float | None]], mark: float) -> tuple[float | None, float | None]:
    """The best plan and the tightest bound known by ``mark`` seconds (the events are merged bests already)."""
    objective = bound = None
    for elapsed, obj, bnd in trace:
        if elapsed > mark:
            break
        if obj is not None and (objective is None or obj > objective):
            objective = obj
        if bnd is not None and (bound is None or bnd < bound):
            bound = bnd
    return objective, bound


def gap_of(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    return (bound - objective) / max(1.0, abs(bound))


def run_case(firms: int, kind: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    from api.distributed.celery_app import make_celery
    from api.settings import Settings

    queue = f"alliance.bench.{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "ALLIANCE_BROKER_URL": args.broker, "ALLIANCE_BROKER_QUEUE": queue}
    app = make_celery(Settings(broker_url=args.broker, broker_queue=queue))
    groups = [WorkerGroup(env, Path(f"/tmp/alliance-county-worker-{k}.log")) for k in range(workers - 1)]
    other_peak = 0.0
    try:
        _wait_for_workers(app, workers - 1)
        ctx = mp.get_context("spawn")
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_job_process, args=(firms, kind == "tight", args.seed, workers, args.time_limit,
                                                       args.broker, queue, send))
        child.start()
        send.close()
        result: dict[str, Any] = receive.recv()
        child.join()
    finally:
        for group in groups:
            other_peak = max(other_peak, group.kill())
    result.update(firms=firms, kind=kind, workers=workers, other_peak_mb=other_peak,
                  gain=None if result["manual"] is None else result["objective"] - result["manual"])
    for mark in args.marks:
        obj, bnd = at_mark(result["trace"], mark)
        result[f"objective@{mark:g}"] = obj
        result[f"gap@{mark:g}"] = gap_of(obj, bnd)
    return result


# -- report --------------------------------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}%"


def _num(value: float | None, sign: bool = False) -> str:
    return "—" if value is None else (f"{value:+,.0f}" if sign else f"{value:,.0f}")


def table(rows: list[dict[str, Any]], marks: list[float]) -> list[str]:
    head = ["case", "workers"] + [f"gap at {m:g} s" for m in marks] + [
        "gap at the end", "plan at the end", "vs hand", "neighbourhoods here / elsewhere",
        "peak MB job / other worker", "check"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [f"`gen-{r['firms']}{'-tight' if r['kind'] == 'tight' else ''}`", str(r["workers"])]
        cells += [_pct(r[f"gap@{m:g}"]) for m in marks]
        other = f"{r['other_peak_mb']:,.0f}" if r["workers"] > 1 else "—"
        cells += [_pct(r["gap"]), _num(r["objective"]), _num(r["gain"], sign=True), f"{r['local']} / {r['remote']}",
                  f"{r['job_peak_mb']:,.0f} / {other}", "yes" if r["check"] else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(rows: list[dict[str, Any]]) -> list[str]:
    """Issue 12's targets, each met or missed with its figure."""
    out = []
    for r in rows:
        if r["firms"] == 800 and "gap@300" in r:
            gap = r["gap@300"]
            verdict = "met" if gap is not None and gap <= 0.02 else "**missed**"
            out.append(f"* 800 firms ≤ 2% in 5 min — `gen-800{'-tight' * (r['kind'] == 'tight')}`, "
                       f"{r['workers']} worker(s): {verdict} ({_pct(gap)})")
        if r["firms"] == 3000 and r["workers"] == 2 and "gap@600" in r:
            gap = r["gap@600"]
            peak = max(r["job_peak_mb"], r["other_peak_mb"])
            ok = gap is not None and gap <= 0.03 and peak < 4096 and (r["gain"] or 0) > 0
            out.append(f"* 3,000 firms ≤ 3% in 10 min on 2 workers, < 4 GB per worker, above hand — "
                       f"`gen-3000{'-tight' * (r['kind'] == 'tight')}`: {'met' if ok else '**missed**'} "
                       f"(gap {_pct(gap)}, peak {peak:,.0f} MB, {_num(r['gain'], sign=True)} over hand)")
    return out


def ratios(rows: list[dict[str, Any]], marks: list[float]) -> list[str]:
    out = []
    by_case: dict[tuple[int, str], dict[int, dict[str, Any]]] = {}
    for r in rows:
        by_case.setdefault((r["firms"], r["kind"]), {})[r["workers"]] = r
    for (firms, kind), runs in by_case.items():
        if 1 not in runs or 2 not in runs:
            continue
        one, two = runs[1], runs[2]
        parts = (two["local"] + two["remote"]) / max(1, one["local"] + one["remote"])
        gain = (two["gain"] or 0) / one["gain"] if one["gain"] else None
        gaps = ", ".join(f"gap at {m:g} s {_pct(two[f'gap@{m:g}'])} vs {_pct(one[f'gap@{m:g}'])}" for m in marks)
        out.append(f"* `gen-{firms}{'-tight' * (kind == 'tight')}` 2 / 1 workers: neighbourhoods solved "
                   f"{parts:.2f}x, plan {two['objective'] / one['objective']:.4f}x, gain over hand "
                   f"{'—' if gain is None else f'{gain:.2f}x'}; {gaps}")
    return out


def render(rows: list[dict[str, Any]], args: argparse.Namespace, header: dict[str, Any]) -> str:
    marks = args.marks
    lines = [BEGIN, "", "## County scale over Celery: 1 vs 2 workers / 县级规模：1 个与 2 个工作进程", "",
             "中文摘要：县级规模（800 与 3000 家企业，宽松与紧张两种）在 Celery 上分别用 1 个和 2 个工作进程求解，"
             "同一次运行中测得各时间点的差距、相对人工匹配的增益和每个进程的峰值内存。", "",
             f"`{header['command']}`, {header['date']}, commit `{header['commit']}`, {header['cpus']} cores, "
             f"load average at start {header['load_start']}, at end {header['load_end']}; 1 thread per process, "
             "Redis broker; each solve in a fresh process (the job's), the second worker an `alliance worker "
             "--concurrency 1` process group beside it.  A gap at a mark is the best plan and bound the progress "
             "events had shown by then (model building included).", ""]
    lines += table(rows, marks)
    lines += ["", "Targets of issue 12:", ""] + (targets(rows) or ["* none of the target cases was run"])
    lines += ["", "Speed-up from the second worker (same run):", ""] + (ratios(rows, marks) or ["* not measured"])
    lines += ["", END]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--firms", default="800,3000", help="comma-separated sizes (default 800,3000)")
    parser.add_argument("--kinds", default="loose,tight",
                        help="comma-separated: loose, tight, or both (default both)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--marks", default="300,600", help="seconds at which the gap is read (default 300,600)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure (and trace) here")
    parser.add_argument("--markdown", type=Path, default=None,
                        help="write the figures into this file's county section (e.g. BENCHMARKS.md)")
    args = parser.parse_args()
    args.marks = [float(m) for m in args.marks.split(",")]
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("celery").setLevel(logging.WARNING)
    commit = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip() or "?"
    header = {"command": "python -m benchmarks.county " + " ".join(sys.argv[1:]),
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit,
              "cpus": os.cpu_count(), "load_start": _load()}
    kinds = ["loose", "tight"] if args.kinds == "both" else args.kinds.split(",")
    if not set(kinds) <= {"loose", "tight"}:
        parser.error(f"--kinds: {args.kinds!r}: give loose, tight or both")
    rows = []
    for firms in (int(f) for f in args.firms.split(",")):
        for kind in kinds:
            for workers in (int(w) for w in args.workers.split(",")):
                row = run_case(firms, kind, workers, args)
                rows.append(row)
                print(f"gen-{firms}{'-tight' * (kind == 'tight')} workers={workers}: "
                      + ", ".join(f"gap@{m:g}s {_pct(row[f'gap@{m:g}'])}" for m in args.marks)
                      + f", end {_pct(row['gap'])} ({row['elapsed_s']:.0f} s)"
                      f", plan {_num(row['objective'])}, vs hand {_num(row['gain'], sign=True)}, "
                      f"parts {row['local']}/{row['remote']}, peak MB {row['job_peak_mb']:,.0f}/"
                      f"{row['other_peak_mb']:,.0f}, check {row['check']}, load {_load()}", flush=True)
                if args.json is not None:
                    args.json.parent.mkdir(parents=True, exist_ok=True)
                    args.json.write_text(json.dumps({"header": header, "rows": rows}, indent=1), encoding="utf-8")
    header["load_end"] = _load()
    section = render(rows, args, header)
    print(section)
    if args.markdown is not None:
        write_section(args.markdown, section)


if __name__ == "__main__":
    main()
