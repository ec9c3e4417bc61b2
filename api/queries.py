"""Every database read of the service, in one place.

The ``*_for`` functions apply visibility: a row the user may not see is
reported as missing (:func:`api.errors.not_found`, 404) so that guessed ids
reveal nothing.  Who sees what:

* admin: everything (read), to operate the service;
* coordinator: the one alliance of the account;
* guide: the alliances assigned to the account;
* enterprise: its own alliance's directory and rounds, its own reports, and
  its own items of approved proposals, never another firm's data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, joinedload

from api.errors import not_found
from api.models import (
    Alliance,
    AuditLog,
    CapacityReport,
    Enterprise,
    GuideAssignment,
    ItemResponse,
    PlanningJob,
    PlanningRound,
    Proposal,
    ProposalItem,
    ProposalStatus,
    ReviewDecision,
    Role,
    User,
)

# ----- users -----------------------------------------------------------------------------------------------


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session, role: str | None = None, alliance_id: int | None = None) -> Sequence[User]:
    query = select(User).order_by(User.id)
    if role is not None:
        query = query.where(User.role == role)
    if alliance_id is not None:
        query = query.outerjoin(Enterprise, User.enterprise_id == Enterprise.id).where(
            (User.alliance_id == alliance_id) | (Enterprise.alliance_id == alliance_id)
        )
    return session.scalars(query).all()


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def guide_alliance_ids(session: Session, user_id: int) -> set[int]:
    return set(session.scalars(select(GuideAssignment.alliance_id).where(GuideAssignment.user_id == user_id)))


def guide_assignment(session: Session, user_id: int, alliance_id: int) -> GuideAssignment | None:
    return session.get(GuideAssignment, (user_id, alliance_id))


def guides_of(session: Session, alliance_id: int) -> Sequence[User]:
    return session.scalars(
        select(User).join(GuideAssignment, GuideAssignment.user_id == User.id)
        .where(GuideAssignment.alliance_id == alliance_id).order_by(User.id)
    ).all()


# ----- visibility -----------------------------------------------------------------------------------------


def visible_alliance_ids(session: Session, user: User) -> set[int] | None:
    """The alliances the user may read; None means all (admin)."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.COORDINATOR:
        return {user.alliance_id} if user.alliance_id is not None else set()
    if user.role == Role.GUIDE:
        return guide_alliance_ids(session, user.id)
    if user.role == Role.ENTERPRISE and user.enterprise is not None:
        return {user.enterprise.alliance_id}
    return set()


def can_see_alliance(session: Session, user: User, alliance_id: int) -> bool:
    visible = visible_alliance_ids(session, user)
    return visible is None or alliance_id in visible


def sees_full_plans(user: User) -> bool:
    """Coordinators, guides and the operator read whole plans; a firm reads only its own items."""
    return user.role in (Role.ADMIN, Role.COORDINATOR, Role.GUIDE)


# ----- alliances and enterprises --------------------------------------------------------------------------


def get_alliance_for(session: Session, user: User, alliance_id: int) -> Alliance:
    alliance = session.get(Alliance, alliance_id)
    if alliance is None or not can_see_alliance(session, user, alliance.id):
        raise not_found("联盟 alliance", alliance_id)
    return alliance


def get_alliance(session: Session, alliance_id: int) -> Alliance | None:
    return session.get(Alliance, alliance_id)


def list_alliances_for(session: Session, user: User) -> Sequence[Alliance]:
    query = select(Alliance).order_by(Alliance.id)
    visible = visible_alliance_ids(session, user)
    if visible is not None:
        query = query.where(Alliance.id.in_(visible))
    return session.scalars(query).all()


def alliance_by_code(session: Session, code: str) -> Alliance | None:
    return session.scalar(select(Alliance).where(Alliance.code == code))


def count_alliances(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Alliance)) or 0


def get_enterprise_for(session: Session, user: User, enterprise_id: int) -> Enterprise:
    """Full enterprise data: the alliance's staff, and the firm's own clerk."""
    ent = session.get(Enterprise, enterprise_id)
    visible = ent is not None and can_see_alliance(session, user, ent.alliance_id)
    if user.role == Role.ENTERPRISE:
        visible = visible and user.enterprise_id == enterprise_id
    if ent is None or not visible:
        raise not_found("企业 enterprise", enterprise_id)
    return ent


def get_enterprise(session: Session, enterprise_id: int) -> Enterprise | None:
    return session.get(Enterprise, enterprise_id)


def list_enterprises(session: Session, alliance_id: int) -> Sequence[Enterprise]:
    return session.scalars(
        select(Enterprise).where(Enterprise.alliance_id == alliance_id).order_by(Enterprise.code)
    ).all()


def enterprises_by_code(session: Session, alliance_id: int) -> dict[str, Enterprise]:
    return {e.code: e for e in list_enterprises(session, alliance_id)}


def enterprise_by_credit_code(session: Session, credit_code: str) -> Enterprise | None:
    return session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code))


# ----- rounds and reports ---------------------------------------------------------------------------------


def get_round_for(session: Session, user: User, round_id: int) -> PlanningRound:
    rnd = session.get(PlanningRound, round_id)
    if rnd is None or not can_see_alliance(session, user, rnd.alliance_id):
        raise not_found("计划轮次 round", round_id)
    return rnd


def get_round(session: Session, round_id: int) -> PlanningRound | None:
    return session.get(PlanningRound, round_id)


def list_rounds(session: Session, alliance_id: int) -> Sequence[PlanningRound]:
    return session.scalars(
        select(PlanningRound).where(PlanningRound.alliance_id == alliance_id).order_by(PlanningRound.id.desc())
    ).all()


def report_target_for(
    session: Session, user: User, round_id: int, enterprise_id: int
) -> tuple[PlanningRound, Enterprise]:
    """The round and the firm whose report the user reads or writes: a clerk only ever reaches its own firm."""
    rnd = get_round_for(session, user, round_id)
    ent = session.get(Enterprise, enterprise_id)
    if ent is None or ent.alliance_id != rnd.alliance_id:
        raise not_found("企业 enterprise", enterprise_id)
    if user.role == Role.ENTERPRISE and user.enterprise_id != ent.id:
        raise not_found("企业 enterprise", enterprise_id)
    return rnd, ent


def latest_report(session: Session, round_id: int, enterprise_id: int) -> CapacityReport | None:
    return session.scalar(
        select(CapacityReport)
        .where(CapacityReport.round_id == round_id, CapacityReport.enterprise_id == enterprise_id)
        .order_by(CapacityReport.version.desc())
        .limit(1)
    )


def report_versions(session: Session, round_id: int, enterprise_id: int) -> Sequence[CapacityReport]:
    return session.scalars(
        select(CapacityReport)
        .where(CapacityReport.round_id == round_id, CapacityReport.enterprise_id == enterprise_id)
        .order_by(CapacityReport.version)
    ).all()


def report_version(session: Session, round_id: int, enterprise_id: int, version: int) -> CapacityReport | None:
    return session.scalar(
        select(CapacityReport).where(
            CapacityReport.round_id == round_id,
            CapacityReport.enterprise_id == enterprise_id,
            CapacityReport.version == version,
        )
    )


def latest_reports(session: Session, round_id: int) -> list[CapacityReport]:
    """The latest version of every firm's report in the round, by enterprise code."""
    newest = (
        select(CapacityReport.enterprise_id, func.max(CapacityReport.version).label("version"))
        .where(CapacityReport.round_id == round_id)
        .group_by(CapacityReport.enterprise_id)
        .subquery()
    )
    rows = session.scalars(
        select(CapacityReport)
        .join(newest, (CapacityReport.enterprise_id == newest.c.enterprise_id)
              & (CapacityReport.version == newest.c.version))
        .where(CapacityReport.round_id == round_id)
    ).all()
    return sorted(rows, key=lambda r: r.enterprise.code)


def latest_versions(session: Session, round_id: int) -> dict[int, int]:
    """{enterprise id: its latest report version} in the round."""
    rows = session.execute(
        select(CapacityReport.enterprise_id, func.max(CapacityReport.version))
        .where(CapacityReport.round_id == round_id)
        .group_by(CapacityReport.enterprise_id)
    ).all()
    return {eid: v for eid, v in rows}


def report_counts(session: Session, round_id: int) -> dict[int, int]:
    rows = session.execute(
        select(CapacityReport.enterprise_id, func.count())
        .where(CapacityReport.round_id == round_id)
        .group_by(CapacityReport.enterprise_id)
    ).all()
    return {eid: n for eid, n in rows}


# ----- jobs -----------------------------------------------------------------------------------------------


def get_job_for(session: Session, user: User, job_id: int) -> PlanningJob:
    job = session.get(PlanningJob, job_id)
    if job is None or not sees_full_plans(user) or not can_see_alliance(session, user, job.round.alliance_id):
        raise not_found("计划任务 job", job_id)
    return job


def get_job(session: Session, job_id: int) -> PlanningJob | None:
    return session.get(PlanningJob, job_id)


def list_jobs(session: Session, round_id: int) -> Sequence[PlanningJob]:
    return session.scalars(
        select(PlanningJob).where(PlanningJob.round_id == round_id).order_by(PlanningJob.id.desc())
    ).all()


def count_active_jobs(session: Session, *, round_id: int | None = None, created_by: int | None = None) -> int:
    query = select(func.count()).select_from(PlanningJob).where(
        PlanningJob.status.in_(["queued", "running"]))
    if round_id is not None:
        query = query.where(PlanningJob.round_id == round_id)
    if created_by is not None:
        query = query.where(PlanningJob.created_by == created_by)
    return int(session.scalar(query) or 0)


def jobs_in_status(session: Session, statuses: Iterable[str]) -> Sequence[PlanningJob]:
    return session.scalars(
        select(PlanningJob).where(PlanningJob.status.in_(list(statuses))).order_by(PlanningJob.id)
    ).all()


# ----- proposals ------------------------------------------------------------------------------------------


def _enterprise_sees_proposal(user: User, proposal: Proposal) -> bool:
    # A firm hears of a proposal only once a guide approved it, and only of its own items.
    return proposal.status == ProposalStatus.APPROVED


def get_proposal_for(session: Session, user: User, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    visible = proposal is not None and can_see_alliance(session, user, proposal.round.alliance_id)
    if visible and user.role == Role.ENTERPRISE:
        assert proposal is not None
        visible = _enterprise_sees_proposal(user, proposal)
    if proposal is None or not visible:
        raise not_found("方案 proposal", proposal_id)
    return proposal


def list_proposals(session: Session, round_id: int, only_approved: bool = False) -> Sequence[Proposal]:
    query = select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.version.desc())
    if only_approved:
        query = query.where(Proposal.status == ProposalStatus.APPROVED)
    return session.scalars(query).all()


def proposals_of_job(session: Session, job_id: int) -> Sequence[Proposal]:
    return session.scalars(select(Proposal).where(Proposal.job_id == job_id).order_by(Proposal.id)).all()


def latest_proposal(session: Session, round_id: int) -> Proposal | None:
    return session.scalar(
        select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.version.desc()).limit(1)
    )


def next_proposal_version(session: Session, round_id: int) -> int:
    current = session.scalar(select(func.max(Proposal.version)).where(Proposal.round_id == round_id))
    return (current or 0) + 1


def reviews_of(session: Session, proposal_id: int) -> Sequence[ReviewDecision]:
    return session.scalars(
        select(ReviewDecision).where(ReviewDecision.proposal_id == proposal_id).order_by(ReviewDecision.id)
    ).all()


def review_queue(
    session: Session, alliance_ids: set[int] | None
) -> Sequence[Row[Proposal, PlanningRound, Alliance, int]]:
    """Submitted proposals of the given alliances (None: all), oldest submission first, with the number of
    decisions already taken on each; one query, whatever the number of alliances and rounds."""
    decided = (
        select(ReviewDecision.proposal_id, func.count().label("n"))
        .group_by(ReviewDecision.proposal_id)
        .subquery()
    )
    query = (
        select(Proposal, PlanningRound, Alliance, func.coalesce(decided.c.n, 0))
        .join(PlanningRound, PlanningRound.id == Proposal.round_id)
        .join(Alliance, Alliance.id == PlanningRound.alliance_id)
        .outerjoin(decided, decided.c.proposal_id == Proposal.id)
        .where(Proposal.status == ProposalStatus.SUBMITTED)
        .order_by(Proposal.submitted_at, Proposal.id)
    )
    if alliance_ids is not None:
        query = query.where(PlanningRound.alliance_id.in_(alliance_ids))
    return session.execute(query).all()


def review_history(
    session: Session, alliance_ids: set[int] | None, guide_id: int | None, limit: int, before_id: int | None
) -> Sequence[Row[ReviewDecision, Proposal, PlanningRound, Alliance, User]]:
    """Review decisions, newest first: of one guide (or all, ``guide_id=None``) in the given alliances (None: all)."""
    query = (
        select(ReviewDecision, Proposal, PlanningRound, Alliance, User)
        .join(Proposal, Proposal.id == ReviewDecision.proposal_id)
        .join(PlanningRound, PlanningRound.id == Proposal.round_id)
        .join(Alliance, Alliance.id == PlanningRound.alliance_id)
        .join(User, User.id == ReviewDecision.guide_id)
        .order_by(ReviewDecision.id.desc())
        .limit(limit)
    )
    if alliance_ids is not None:
        query = query.where(PlanningRound.alliance_id.in_(alliance_ids))
    if guide_id is not None:
        query = query.where(ReviewDecision.guide_id == guide_id)
    if before_id is not None:
        query = query.where(ReviewDecision.id < before_id)
    return session.execute(query).all()


def items_visible(user: User, items: Iterable[ProposalItem]) -> list[ProposalItem]:
    if user.role == Role.ENTERPRISE:
        return [i for i in items if user.enterprise_id in (i.first_party_id, i.second_party_id)]
    return list(items)


def get_item_for(session: Session, user: User, item_id: int) -> ProposalItem:
    item = session.get(ProposalItem, item_id)
    if item is None:
        raise not_found("方案条目 item", item_id)
    proposal = item.proposal
    if user.role == Role.ENTERPRISE:
        # Being a party is what counts: a county round's item names firms of the parks below it (api/county).
        visible = _enterprise_sees_proposal(user, proposal) and user.enterprise_id in (
            item.first_party_id, item.second_party_id)
    else:
        visible = can_see_alliance(session, user, proposal.round.alliance_id)
    if not visible:
        raise not_found("方案条目 item", item_id)
    return item


def items_of_enterprise(session: Session, enterprise_id: int, status: str | None = None) -> Sequence[ProposalItem]:
    query = (
        select(ProposalItem)
        .join(Proposal, Proposal.id == ProposalItem.proposal_id)
        .where(
            Proposal.status == ProposalStatus.APPROVED,
            (ProposalItem.first_party_id == enterprise_id) | (ProposalItem.second_party_id == enterprise_id),
        )
        # Each item shows its round's dates: load proposal and round with the items, not one query per item.
        .options(joinedload(ProposalItem.proposal).joinedload(Proposal.round))
        .order_by(ProposalItem.id.desc())
    )
    if status is not None:
        query = query.where(ProposalItem.status == status)
    return session.scalars(query).all()


def response_of(session: Session, item_id: int, enterprise_id: int) -> ItemResponse | None:
    return session.scalar(
        select(ItemResponse).where(ItemResponse.item_id == item_id, ItemResponse.enterprise_id == enterprise_id)
    )


# ----- audit ----------------------------------------------------------------------------------------------


def list_audit(
    session: Session,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_id: int | None = None,
    alliance_id: int | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> Sequence[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditLog.entity == entity)
    if entity_id is not None:
        query = query.where(AuditLog.entity_id == entity_id)
    if actor_id is not None:
        query = query.where(AuditLog.actor_id == actor_id)
    if alliance_id is not None:
        query = query.where(AuditLog.alliance_id == alliance_id)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return session.scalars(query).all()


def seeded(session: Session) -> bool:
    return session.scalar(select(AuditLog.id).where(AuditLog.action == "demo.seed").limit(1)) is not None
