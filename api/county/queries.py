"""Queries of the county domain: the alliance tree, escalations, and scenario codes across levels."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from api.models import (
    Alliance,
    Enterprise,
    Escalation,
    EscalationEntry,
    PlanningRound,
    Proposal,
    ProposalItem,
    ProposalStatus,
    RoundStatus,
)

# A firm of a child alliance appears in the parent's scenario as ``<alliance code>/<firm code>``: alliance and
# firm codes never hold "/", so a scoped code never equals a direct member's code.
SCOPE_SEPARATOR = "/"


def children(session: Session, alliance_id: int) -> Sequence[Alliance]:
    return session.scalars(select(Alliance).where(Alliance.parent_id == alliance_id).order_by(Alliance.id)).all()


def descendant_ids(session: Session, alliance_id: int) -> set[int]:
    """Every alliance below ``alliance_id`` (not itself); the tree has no cycles, the walk guards anyway."""
    found: set[int] = set()
    frontier = [alliance_id]
    while frontier:
        rows = session.scalars(select(Alliance.id).where(Alliance.parent_id.in_(frontier))).all()
        frontier = [r for r in rows if r not in found and r != alliance_id]
        found.update(frontier)
    return found


def ancestor_ids(session: Session, alliance: Alliance) -> list[int]:
    out: list[int] = []
    current = alliance.parent_id
    while current is not None and current not in out and current != alliance.id:
        out.append(current)
        parent = session.get(Alliance, current)
        current = parent.parent_id if parent is not None else None
    return out


def scenario_code(ent: Enterprise, rnd: PlanningRound) -> str:
    """The firm's id in the scenarios of ``rnd``: its code for a direct member, scoped for a child's firm."""
    if ent.alliance_id == rnd.alliance_id:
        return ent.code
    return f"{ent.alliance.code}{SCOPE_SEPARATOR}{ent.code}"


def scenario_members(session: Session, rnd: PlanningRound) -> dict[str, Enterprise]:
    """Scenario id -> firm for a round: the direct members, and the firms of every alliance below it."""
    members = {e.code: e for e in session.scalars(select(Enterprise).where(Enterprise.alliance_id == rnd.alliance_id))}
    below = descendant_ids(session, rnd.alliance_id)
    if below:
        rows = session.scalars(select(Enterprise).where(Enterprise.alliance_id.in_(below))
                               .options(joinedload(Enterprise.alliance))).all()
        members.update({scenario_code(e, rnd): e for e in rows})
    return members


def escalation_of(session: Session, from_round_id: int, to_round_id: int) -> Escalation | None:
    return session.scalar(select(Escalation).where(Escalation.from_round_id == from_round_id,
                                                   Escalation.to_round_id == to_round_id))


def escalations_from(session: Session, round_id: int) -> Sequence[Escalation]:
    return session.scalars(select(Escalation).where(Escalation.from_round_id == round_id)
                           .order_by(Escalation.id)).all()


def escalations_into(session: Session, round_id: int) -> Sequence[Escalation]:
    return session.scalars(select(Escalation).where(Escalation.to_round_id == round_id)
                           .order_by(Escalation.id)).all()


def has_escalations_into(session: Session, round_id: int) -> bool:
    return session.scalar(select(Escalation.id).where(Escalation.to_round_id == round_id).limit(1)) is not None


def open_rounds(session: Session, alliance_id: int) -> Sequence[PlanningRound]:
    return session.scalars(select(PlanningRound).where(PlanningRound.alliance_id == alliance_id,
                                                       PlanningRound.status == RoundStatus.OPEN.value)
                           .order_by(PlanningRound.id.desc())).all()


def entries_of_enterprise(session: Session, enterprise_id: int) -> Sequence[EscalationEntry]:
    return session.scalars(
        select(EscalationEntry).where(EscalationEntry.enterprise_id == enterprise_id)
        .options(joinedload(EscalationEntry.escalation)).order_by(EscalationEntry.id.desc())
    ).all()


def get_escalation(session: Session, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id)


def get_entry(session: Session, entry_id: int) -> EscalationEntry | None:
    return session.get(EscalationEntry, entry_id)


def withdrawn_since(session: Session, round_id: int, since: object) -> Sequence[EscalationEntry]:
    """Entries escalated into ``round_id`` withdrawn after ``since`` (a job's snapshot is then out of date)."""
    return session.scalars(
        select(EscalationEntry).join(Escalation, Escalation.id == EscalationEntry.escalation_id)
        .where(Escalation.to_round_id == round_id, EscalationEntry.withdrawn_at.is_not(None),
               EscalationEntry.withdrawn_at > since)
    ).all()


def items_in_round(session: Session, round_id: int, enterprise_ids: set[int] | None = None,
                   only_approved: bool = True) -> Sequence[ProposalItem]:
    """Items of a round's (approved) proposals; with ``enterprise_ids``, only those with a party among them."""
    query = (
        select(ProposalItem).join(Proposal, Proposal.id == ProposalItem.proposal_id)
        .where(Proposal.round_id == round_id)
        .options(joinedload(ProposalItem.proposal).joinedload(Proposal.round))
        .order_by(ProposalItem.id)
    )
    if only_approved:
        query = query.where(Proposal.status == ProposalStatus.APPROVED)
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        query = query.where(ProposalItem.first_party_id.in_(ids) | ProposalItem.second_party_id.in_(ids))
    return session.scalars(query).unique().all()


def enterprise_ids_of(session: Session, alliance_id: int) -> set[int]:
    return set(session.scalars(select(Enterprise.id).where(Enterprise.alliance_id == alliance_id)).all())
