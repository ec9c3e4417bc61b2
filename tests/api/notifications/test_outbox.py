"""The webhook outbox against a real HTTP receiver on 127.0.0.1: a dead receiver loses no message, it gets it
once it answers; retries back off; a message past its attempts is kept as failed.  The sender is the service's
own thread (started by the app), not a stand-in."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.api.conftest import Backend, World, build_world, ok, start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    def __init__(self, port: int) -> None:
        self.port, self.got = port, []  # type: ignore[var-annotated]
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def app_world(backend: Backend) -> Iterator[tuple[Any, World]]:
    client, api = start(backend, outbox_interval_s=0.1, outbox_base_delay_s=0.2, outbox_max_attempts=50)
    try:
        yield client, build_world(api, reports=False)
    finally:
        client.__exit__(None, None, None)


def outbox(world: World) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok(world.api.as_("coord").get(f"/api/v1/alliances/{world.alliance}/outbox"))
    return result


def wait_for(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition never held")


def test_a_dead_receiver_loses_no_message(app_world: tuple[Any, World]) -> None:
    client, world = app_world
    port = free_port()
    coord = world.api.as_("coord")
    r = coord.put(f"/api/v1/alliances/{world.alliance}/webhook", json={"url": "ftp://x/y"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["body", "url"]
    ok(coord.put(f"/api/v1/alliances/{world.alliance}/webhook", json={"url": f"http://127.0.0.1:{port}/hook"}), 204)
    assert world.api.as_("clerk-a").put(f"/api/v1/alliances/{world.alliance}/webhook",
                                        json={"url": f"http://127.0.0.1:{port}/hook"}).status_code == 403
    from api.notifications.service import coordinators_of, notify

    factory = client.app.state.session_factory
    with factory() as session, session.begin():
        notify(session, world.alliance, coordinators_of(session, world.alliance), "test.event", "测试消息",
               "test message", "/home")
    # Nobody listens: the sender tries, keeps the message pending with the error, and tries again later.
    failing = wait_for(lambda: next((m for m in outbox(world) if m["attempts"] >= 2), None))
    assert failing["status"] == "pending" and "Connect" in failing["last_error"]
    with Receiver(port) as receiver:
        sent = wait_for(lambda: next((m for m in outbox(world) if m["status"] == "sent"), None))
        wait_for(lambda: receiver.got)
    assert sent["last_error"] is None and sent["sent_at"]
    assert receiver.got == [{"kind": "test.event", "text": "测试消息 / test message", "link": "/home",
                             "id": sent["id"]}]
    # The inbox got it too, with an unread count, and reading clears it.
    inbox = ok(coord.get("/api/v1/me/inbox"))
    assert inbox["unread"] == 1 and inbox["messages"][0]["text_zh"] == "测试消息"
    assert ok(coord.post(f"/api/v1/me/inbox/{inbox['messages'][0]['id']}/read"))["unread"] == 0
    assert world.api.as_("clerk-a").post(f"/api/v1/me/inbox/{inbox['messages'][0]['id']}/read").status_code == 404


def test_after_its_attempts_a_message_is_kept_as_failed(app_world: tuple[Any, World]) -> None:
    import datetime as dt

    from api.models import OutboxMessage
    from api.notifications.sender import deliver_due

    client, world = app_world
    factory = client.app.state.session_factory
    with factory() as session, session.begin():
        session.add(OutboxMessage(alliance_id=world.alliance, url=f"http://127.0.0.1:{free_port()}/gone",
                                  payload={"kind": "x"}, status="pending",
                                  next_attempt_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    deliver_due(factory, max_attempts=1, now=later)
    gone = next(m for m in outbox(world) if m["payload"] == {"kind": "x"})
    # The service's own sender may have tried it once already: either way it is given up, with the error.
    assert gone["status"] == "failed" and gone["attempts"] >= 1 and gone["last_error"]
