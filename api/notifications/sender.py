"""The outbox sender: a thread of the service process that POSTs due outbox messages to their webhook.

A failed delivery (connection refused, timeout, any status other than 2xx) stays ``pending`` with the error and
the next attempt after ``base * 2**(attempts-1)`` seconds (capped at one hour); after ``max_attempts`` it is
``failed`` and stays on the record.  A dead receiver therefore loses no message: it gets them once it answers.
Messages are claimed one at a time in their own transaction, so a crash mid-send at worst sends one twice
(at-least-once; the payload carries the outbox id for the receiver to drop duplicates).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.models import OutboxMessage, utcnow
from api.notifications.reminders import remind_due_reports

log = logging.getLogger("api.outbox")
MAX_BACKOFF_S = 3600.0


def deliver_due(session_factory: sessionmaker[Session], *, base_delay_s: float = 5.0, max_attempts: int = 10,
                timeout_s: float = 5.0, now: dt.datetime | None = None) -> int:
    """Try every pending message that is due; returns how many were delivered."""
    sent = 0
    with session_factory() as session:
        due = list(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= (now or utcnow()))
            .order_by(OutboxMessage.id)))
    for message_id in due:
        with session_factory() as session, session.begin():
            # Several web processes run a sender each (docs/deployment.md): the row lock, skipped when another
            # sender holds it, makes one of them send the message (PostgreSQL; SQLite serves one process).
            msg = session.get(OutboxMessage, message_id, with_for_update={"skip_locked": True})
            if msg is None or msg.status != "pending":
                continue
            msg.attempts += 1
            try:
                response = httpx.post(msg.url, json={**msg.payload, "id": msg.id}, timeout=timeout_s)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                msg.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if msg.attempts >= max_attempts:
                    msg.status = "failed"
                else:
                    delay = min(MAX_BACKOFF_S, base_delay_s * 2 ** (msg.attempts - 1))
                    msg.next_attempt_at = (now or utcnow()) + dt.timedelta(seconds=delay)
                log.warning("outbox %s: attempt %s failed: %s", msg.id, msg.attempts, msg.last_error)
                continue
            msg.status, msg.sent_at, msg.last_error = "sent", utcnow(), None
            sent += 1
    return sent


class OutboxSender:
    """The notification thread of a web process: reminders that fall due, then the webhook outbox."""

    def __init__(self, session_factory: sessionmaker[Session], interval_s: float, base_delay_s: float,
                 max_attempts: int, reminder_hours: float = 24.0) -> None:
        self.session_factory, self.interval_s = session_factory, interval_s
        self.base_delay_s, self.max_attempts = base_delay_s, max_attempts
        self.reminder_hours = reminder_hours
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="alliance-outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                remind_due_reports(self.session_factory, self.reminder_hours)
            except Exception:  # as below: a broken connection must not end the thread
                log.exception("report reminders tick failed")
            try:
                deliver_due(self.session_factory, base_delay_s=self.base_delay_s, max_attempts=self.max_attempts)
            except Exception:  # the sender must outlive a broken database connection; it retries next tick
                log.exception("outbox sender tick failed")

    def shutdown(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
