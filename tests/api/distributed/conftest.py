"""Real processes on real services: ``alliance serve`` and ``alliance worker`` over PostgreSQL and Redis.

Nothing runs in eager mode or in this test process: the web processes and workers are subprocesses started the
way docs/deployment.md says, each in its own process group so that a test can kill -9 a worker with its pool.
Skipped, saying why, when PostgreSQL (``ALLIANCE_TEST_POSTGRES_URL``) or Redis (``redis://127.0.0.1:6379/5``) is
not there.  Every run has its own schema and its own broker queues, so runs in parallel do not see each other.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.api.conftest import POSTGRES_ENV

REDIS_URL = os.environ.get("ALLIANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
REPO = Path(__file__).resolve().parents[3]
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
# A sitecustomize that gives the spawned processes the tests' cheap argon2 setting (tests/hashing.py).
CHEAP_HASHING = Path(__file__).resolve().parent / "cheap_hashing"

pytestmark = pytest.mark.distributed


def _redis_reachable(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure means: not usable here
        return f"{type(exc).__name__}: {exc}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Deployment:
    env: dict[str, str]
    log_dir: Path
    queue: str
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _spawn(self, name: str, args: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process at teardown
        proc = subprocess.Popen([ALLIANCE, *args], cwd=REPO, env={**self.env, **env}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def serve(self, name: str) -> WebProcess:
        port = _free_port()
        proc = self._spawn(name, ["serve", "--port", str(port)])
        return WebProcess(name, proc, f"http://127.0.0.1:{port}", self.log_dir / f"{name}.log")

    def worker(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        return self._spawn(name, ["worker", "--concurrency", str(concurrency), "--loglevel", "info"])

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    @staticmethod
    def kill_group(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        proc.wait(timeout=20)


@dataclass
class WebProcess:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    token: str = ""

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not ready in {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def login(self, username: str, password: str) -> None:
        r = httpx.post(f"{self.url}/api/v1/auth/token", data={"username": username, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def use_token(self, token: str) -> None:
        self.token = token

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=20, **kw)

    def get(self, path: str) -> Any:
        r = self.request("GET", path)
        assert r.status_code == 200, r.text
        return r.json()

    def post(self, path: str, status: int = 200, **kw: Any) -> Any:
        r = self.request("POST", path, **kw)
        assert r.status_code == status, r.text
        return r.json()

    def wait_job(self, job_id: int, until: tuple[str, ...], timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job: dict[str, Any] = self.get(f"/jobs/{job_id}")
            if job["status"] in until:
                return job
            assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {timeout}s: {job}"
            time.sleep(0.2)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    pg_url = os.environ.get(POSTGRES_ENV)
    if not pg_url:
        pytest.skip(f"PostgreSQL not configured: set {POSTGRES_ENV}=postgresql+psycopg://user@host:port/db")
    why = _redis_reachable(REDIS_URL)
    if why is not None:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({why}); set ALLIANCE_TEST_REDIS_URL")
    run = uuid.uuid4().hex[:10]
    schema = f"alliance_dist_{run}"
    admin_engine = create_engine(pg_url)
    with admin_engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    queue = f"alliance.test.{run}"
    env = {
        **os.environ,
        "ALLIANCE_DATABASE_URL": pg_url, "ALLIANCE_DATABASE_SCHEMA": schema, "ALLIANCE_BROKER_URL": REDIS_URL,
        "ALLIANCE_BROKER_QUEUE": queue, "ALLIANCE_SECRET_KEY": f"distributed-test-secret-{run}-0123456789",
        "ALLIANCE_SEED_DEMO": "true", "ALLIANCE_SOLVER_THREADS": "1", "ALLIANCE_PROGRESS_INTERVAL_S": "0.5",
        # A short lease, so that a killed worker's job is handed on within seconds rather than tens of seconds.
        "ALLIANCE_JOB_HEARTBEAT_S": "1", "ALLIANCE_JOB_LEASE_S": "4", "ALLIANCE_JOB_SWEEP_INTERVAL_S": "1",
        "PYTHONUNBUFFERED": "1",
        # The repository too, for the sitecustomize's tests.hashing: a console script's path holds only its own folder.
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(CHEAP_HASHING), str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    d = Deployment(env, tmp_path, queue)
    try:
        yield d
    finally:
        for proc in d.procs:
            d.kill_group(proc)
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{queue}*"):
            client.delete(key)
        # kombu keeps every unacknowledged message of the database in one hash; drop this run's (the killed worker's).
        for tag, payload in client.hgetall("unacked").items():
            if queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()
