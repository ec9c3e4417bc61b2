"""Writing notifications: inbox rows for the users concerned and, when the alliance has a webhook, one outbox row,
all in the transaction of the event itself, so a message exists exactly when the event does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.errors import InvalidInput, not_found
from api.models import AllianceWebhook, Enterprise, InboxMessage, OutboxMessage, Role, User, utcnow


def users_of_firms(session: Session, enterprise_ids: Iterable[int]) -> list[User]:
    ids = list(enterprise_ids)
    return list(session.scalars(select(User).where(User.enterprise_id.in_(ids), User.is_active.is_(True))))


def coordinators_of(session: Session, alliance_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.alliance_id == alliance_id, User.role == Role.COORDINATOR,
                                                   User.is_active.is_(True))))


def members_of(session: Session, alliance_id: int) -> list[User]:
    """Every active account of the alliance: its firms' clerks and its coordinators."""
    firms = select(Enterprise.id).where(Enterprise.alliance_id == alliance_id)
    return list(session.scalars(select(User).where(
        or_(User.enterprise_id.in_(firms), User.alliance_id == alliance_id), User.is_active.is_(True))))


def notify(session: Session, alliance_id: int, users: Iterable[User], kind: str, zh: str, en: str,
           link: str = "") -> list[InboxMessage]:
    seen: set[int] = set()
    rows = []
    for user in users:
        if user.id in seen:
            continue
        seen.add(user.id)
        row = InboxMessage(user_id=user.id, alliance_id=alliance_id, kind=kind, text_zh=zh, text_en=en, link=link)
        session.add(row)
        rows.append(row)
    hook = session.get(AllianceWebhook, alliance_id)
    if hook is not None and hook.enabled:
        # A work-chat robot takes a short text; Chinese first, the link for the ones who open the service.
        session.add(OutboxMessage(alliance_id=alliance_id, url=hook.url, status="pending",
                                  payload={"kind": kind, "text": f"{zh} / {en}", "link": link}))
    return rows


def inbox(session: Session, user: User, limit: int = 100) -> Sequence[InboxMessage]:
    return session.scalars(select(InboxMessage).where(InboxMessage.user_id == user.id)
                           .order_by(InboxMessage.id.desc()).limit(limit)).all()


def unread(session: Session, user: User) -> int:
    return int(session.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))) or 0)


def mark_read(session: Session, user: User, message_id: int | None) -> int:
    query = select(InboxMessage).where(InboxMessage.user_id == user.id, InboxMessage.read_at.is_(None))
    if message_id is not None:
        row = session.get(InboxMessage, message_id)
        if row is None or row.user_id != user.id:
            raise not_found("消息 message", message_id)
        query = query.where(InboxMessage.id == message_id)
    now, n = utcnow(), 0
    for row in session.scalars(query):
        row.read_at, n = now, n + 1
    return n


def set_webhook(session: Session, alliance_id: int, url: str, enabled: bool) -> AllianceWebhook:
    from api.errors import make_field_error

    if not (url.startswith("http://") or url.startswith("https://")):
        raise InvalidInput("网址须以 http:// 或 https:// 开头 / the URL must start with http:// or https://",
                           [make_field_error(["body", "url"], "http(s) URL", "value_error", url)])
    hook = session.get(AllianceWebhook, alliance_id)
    if hook is None:
        hook = AllianceWebhook(alliance_id=alliance_id, url=url, enabled=enabled)
        session.add(hook)
    hook.url, hook.enabled, hook.updated_at = url, enabled, utcnow()
    return hook


def outbox(session: Session, alliance_id: int, limit: int = 100) -> Sequence[OutboxMessage]:
    return session.scalars(select(OutboxMessage).where(OutboxMessage.alliance_id == alliance_id)
                           .order_by(OutboxMessage.id.desc()).limit(limit)).all()
