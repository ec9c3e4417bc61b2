"""Reads of the execution domain; visibility as in ``api.queries`` (what a user may not see is a 404)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api import queries
from api.errors import not_found
from api.models import (
    ExecutionRecord,
    ItemExecution,
    ItemStatus,
    Proposal,
    ProposalItem,
    ProposalStatus,
    Role,
    SettlementClose,
    User,
)


def root_of(session: Session, item: ProposalItem) -> ProposalItem:
    """The item where this confirmation began: a re-plan carries a confirmed item into the next proposal as a
    copy, and the records of the two must be one."""
    seen = {item.id}
    while item.carried_from_id is not None:
        parent = session.get(ProposalItem, item.carried_from_id)
        if parent is None or parent.id in seen:
            break
        seen.add(parent.id)
        item = parent
    return item


def confirmed_items(session: Session, round_id: int, enterprise_id: int | None = None) -> list[ProposalItem]:
    """The round's confirmed items of approved proposals, one per confirmation (carried copies folded into their
    root), optionally only those a firm is party to."""
    query = (
        select(ProposalItem)
        .join(Proposal, Proposal.id == ProposalItem.proposal_id)
        .where(Proposal.round_id == round_id, Proposal.status == ProposalStatus.APPROVED,
               ProposalItem.status == ItemStatus.CONFIRMED)
        .options(joinedload(ProposalItem.proposal).joinedload(Proposal.round))
        .order_by(ProposalItem.id)
    )
    if enterprise_id is not None:
        query = query.where((ProposalItem.first_party_id == enterprise_id)
                            | (ProposalItem.second_party_id == enterprise_id))
    roots: dict[int, ProposalItem] = {}
    for item in session.scalars(query).unique():
        root = root_of(session, item)
        roots.setdefault(root.id, root)
    return sorted(roots.values(), key=lambda i: i.id)


def confirmed_item_for(session: Session, user: User, item_id: int) -> ProposalItem:
    """The root of a confirmed item the user may see (any copy's id leads to it)."""
    item = queries.get_item_for(session, user, item_id)
    return root_of(session, item)


def execution_of(session: Session, item_id: int) -> ItemExecution | None:
    return session.get(ItemExecution, item_id)


def records_of(session: Session, item_id: int) -> Sequence[ExecutionRecord]:
    return session.scalars(
        select(ExecutionRecord).where(ExecutionRecord.item_id == item_id).order_by(ExecutionRecord.day)
    ).all()


def record_on(session: Session, item_id: int, day: int) -> ExecutionRecord | None:
    return session.scalar(select(ExecutionRecord).where(ExecutionRecord.item_id == item_id,
                                                        ExecutionRecord.day == day))


def get_record_for(session: Session, user: User, record_id: int) -> tuple[ExecutionRecord, ProposalItem]:
    record = session.get(ExecutionRecord, record_id)
    if record is None:
        raise not_found("执行记录 record", record_id)
    item = session.get(ProposalItem, record.item_id)
    assert item is not None
    visible = queries.can_see_alliance(session, user, item.proposal.round.alliance_id)
    if visible and user.role == Role.ENTERPRISE:
        visible = user.enterprise_id in (item.first_party_id, item.second_party_id)
    if not visible:
        raise not_found("执行记录 record", record_id)
    return record, item


def settlement_close(session: Session, round_id: int) -> SettlementClose | None:
    return session.get(SettlementClose, round_id)
