"""Do reads keep their speed while solves and logins are flooded?  (issue 13, "who may spend the machine")

Starts the service with the demo park on a loopback port (its own SQLite file in a temporary folder), then

1. measures ``GET /api/v1/alliances/{id}/enterprises`` (a coordinator's read) and ``/health`` alone;
2. floods it with stateless solves (a coordinator, the demo park, ``--solve-seconds`` each) and logins
   (correct passwords, so the throttle does not stop them and every one costs an argon2 check), and
   measures the same reads during the flood.

Bounded: loopback only, ``--seconds`` per phase, at most ``--solvers`` + ``--logins`` flooding clients.
Prints req/s and median / 95th percentile latency per phase, and what the flood got back (200, 503...).

    python -m benchmarks.flood --seconds 8 --solvers 45 --logins 40
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reads(base: str, path: str, headers: dict[str, str], seconds: float, clients: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = Counter[int]()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as c:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                r = c.get(path)
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if r.status_code != 200:
                        errors[r.status_code] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    latencies.sort()
    return {"requests": len(latencies), "req_per_s": round(len(latencies) / elapsed, 1),
            "median_ms": round(1000 * statistics.median(latencies), 1) if latencies else float("nan"),
            "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 1) if latencies else float("nan"),
            "non_200": sum(errors.values())}


def _flood(base: str, stop: threading.Event, solve_headers: dict[str, str], scenario: dict[str, Any],
           solve_seconds: float, solvers: int, logins: int, results: Counter[str]) -> list[threading.Thread]:
    lock = threading.Lock()

    def solver() -> None:
        with httpx.Client(base_url=base, headers=solve_headers, timeout=120) as c:
            while not stop.is_set():
                r = c.post("/api/v1/solve", json={"scenario": scenario, "time_limit_s": solve_seconds})
                with lock:
                    results[f"solve {r.status_code}"] += 1
                if r.status_code == 503:
                    time.sleep(float(r.headers.get("Retry-After", "1")))

    def login() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            while not stop.is_set():
                r = c.post("/api/v1/auth/token", data={"username": "coordinator", "password": "coordinator-demo"})
                with lock:
                    results[f"login {r.status_code}"] += 1
                if r.status_code == 503:
                    time.sleep(float(r.headers.get("Retry-After", "1")))

    threads = [threading.Thread(target=solver, daemon=True) for _ in range(solvers)]
    threads += [threading.Thread(target=login, daemon=True) for _ in range(logins)]
    for t in threads:
        t.start()
    return threads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each measuring phase")
    ap.add_argument("--readers", type=int, default=4, help="concurrent reading clients")
    ap.add_argument("--solvers", type=int, default=45)
    ap.add_argument("--logins", type=int, default=40)
    ap.add_argument("--solve-seconds", type=float, default=20.0)
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="alliance-flood-"))
    port = _free_port()
    env = {**os.environ, "ALLIANCE_DATABASE_URL": f"sqlite:///{folder / 'flood.db'}",
           "ALLIANCE_SECRET_KEY": "flood-benchmark-key-0123456789abcdef0123", "ALLIANCE_SEED_DEMO": "true",
           # the flood logs in as one account again and again; keep the throttle out of the measurement
           "ALLIANCE_LOGIN_MAX_FAILURES_PER_ADDRESS": "100000"}
    env.pop("ALLIANCE_REDIS_URL", None)
    log_file = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the service did not start; see {folder / 'server.log'}")
            time.sleep(0.5)
        token = httpx.post(f"{base}/api/v1/auth/token",
                           data={"username": "coordinator", "password": "coordinator-demo"}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        alliance = httpx.get(f"{base}/api/v1/alliances", headers=headers).json()[0]["id"]
        scenario = json.loads((ROOT / "examples" / "dehua-24.json").read_text(encoding="utf-8"))
        reads = f"/api/v1/alliances/{alliance}/enterprises"

        figures: dict[str, Any] = {"before": {
            "enterprises": _reads(base, reads, headers, args.seconds, args.readers),
            "health": _reads(base, "/health", {}, args.seconds / 2, 1)}}
        stop = threading.Event()
        flood: Counter[str] = Counter()
        threads = _flood(base, stop, headers, scenario, args.solve_seconds, args.solvers, args.logins, flood)
        time.sleep(2)  # let the flood fill the pools
        figures["during"] = {"enterprises": _reads(base, reads, headers, args.seconds, args.readers),
                             "health": _reads(base, "/health", {}, args.seconds / 2, 1)}
        stop.set()
        figures["flood"] = dict(sorted(flood.items()))
        figures["settings"] = vars(args)
        figures["server_log"] = str(folder / "server.log")
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        for t in threads:
            t.join(timeout=0.1)  # daemon threads: a solve still running ends with the server below
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
