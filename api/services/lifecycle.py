"""Where a proposal and a round stand once the firms answer: the final status, derived from the items.

A proposal's ``status`` is the review's (draft, submitted, approved, rejected); once approved, its
``final_status`` follows the firms' answers: ``answering`` while an item is pending, ``settled``
(已全部确认) when every item is confirmed, ``needs_replan`` when every item is answered and at least one
was declined.  It is derived at read time, never stored, so it can never disagree with the items
(a firm may still change an answer, see :mod:`api.services.proposals`).  A round is ``settled`` when
its latest approved proposal is.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from api import queries
from api.models import ItemStatus, PlanningRound, Proposal, ProposalItem, ProposalStatus

ANSWERING, SETTLED, NEEDS_REPLAN = "answering", "settled", "needs_replan"


def final_status_of(status: str, items: Iterable[ProposalItem]) -> str | None:
    if status != ProposalStatus.APPROVED:
        return None
    states = [i.status for i in items]
    if any(s == ItemStatus.PENDING for s in states):
        return ANSWERING
    return NEEDS_REPLAN if any(s == ItemStatus.DECLINED for s in states) else SETTLED


def final_status(proposal: Proposal) -> str | None:
    return final_status_of(proposal.status, proposal.items)


def round_plan_state(session: Session, rnd: PlanningRound) -> str | None:
    """The final status of the round's latest approved proposal (None before any approval)."""
    approved = queries.list_proposals(session, rnd.id, only_approved=True)
    return final_status(approved[0]) if approved else None
