"""Proposals, the guide's review, the firms' answers, re-planning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from sqlalchemy.orm import Session

from api import queries
from api.deps import CoordinatorUser, CurrentUser, EnterpriseUser, GuideUser, Id, SessionDep, SettingsDep
from api.errors import PROBLEM_RESPONSES, Forbidden
from api.models import ItemKind, ItemStatus, Proposal, ProposalItem, Role, User
from api.proposal_schemas import (
    ItemOut,
    Party,
    ProposalBrief,
    ProposalOut,
    ReplanIn,
    RespondIn,
    ResponseOut,
    ReviewIn,
    ReviewOut,
)
from api.routes.jobs import job_out, runner_of
from api.schemas import EnterpriseBrief, JobOut
from api.services import lifecycle, proposals

router = APIRouter(responses=PROBLEM_RESPONSES)

_ROLES = {(ItemKind.SUBCONTRACT, 1): "sends", (ItemKind.SUBCONTRACT, 2): "produces",
          (ItemKind.LOAN, 1): "lends", (ItemKind.LOAN, 2): "borrows"}


def _party(ent: object) -> Party:
    return Party.model_validate(ent, from_attributes=True)


def item_out(item: ProposalItem, user: User, stale: set[int] | None = None, coming: str | None = None) -> ItemOut:
    out = ItemOut(
        id=item.id, proposal_id=item.proposal_id, round_id=item.proposal.round_id,
        start_date=item.proposal.round.start_date, kind=item.kind, key=item.key, order_id=item.order_id,
        skill=item.skill, first_party=_party(item.first_party), second_party=_party(item.second_party),
        rows=item.rows, terms=item.terms, status=item.status, reason=item.reason, decided_at=item.decided_at,
        carried_from_id=item.carried_from_id, proposal_version=item.proposal.version,
        proposal_final_status=lifecycle.final_status(item.proposal),
        outdated=stale is not None and lifecycle.touches(item, stale), next_version=coming,
        responses=[ResponseOut(enterprise_id=r.enterprise_id, answer=r.answer, reason=r.reason,
                               decided_at=r.decided_at) for r in item.responses],
    )
    if user.role == Role.ENTERPRISE:
        side = 1 if user.enterprise_id == item.first_party_id else 2
        out.my_role = _ROLES[(ItemKind(item.kind), side)]
        out.counterparty = out.second_party if side == 1 else out.first_party
    return out


def stale_ids(session: Session, proposal: Proposal) -> set[int]:
    return {e.id for e in lifecycle.stale_firms(session, proposal)}


def proposal_out(session: Session, proposal: Proposal) -> ProposalOut:
    stale = lifecycle.stale_firms(session, proposal)
    stale_set = {e.id for e in stale}
    counts = {s.value: 0 for s in ItemStatus}
    for item in proposal.items:
        counts[item.status] += 1
    return ProposalOut(
        id=proposal.id, job_id=proposal.job_id, round_id=proposal.round_id, version=proposal.version,
        status=proposal.status, previous_id=proposal.previous_id, changes=proposal.changes,
        summary=proposal.summary, item_counts=counts, created_at=proposal.created_at,
        submitted_at=proposal.submitted_at,
        reviews=[ReviewOut.model_validate(r) for r in queries.reviews_of(session, proposal.id)],
        final_status=lifecycle.final_status(proposal), report_versions=proposal.job.report_versions,
        outdated_firms=[EnterpriseBrief.model_validate(e) for e in stale],
        outdated_items=[i.id for i in proposal.items if lifecycle.touches(i, stale_set)],
        next_version=lifecycle.next_version(session, proposal),
        since_rejected=lifecycle.since_rejected(session, proposal),
    )


def proposal_brief(session: Session, proposal: Proposal, user: User) -> ProposalBrief:
    mine = queries.items_visible(user, proposal.items)
    stale = stale_ids(session, proposal)
    return ProposalBrief(id=proposal.id, round_id=proposal.round_id, version=proposal.version,
                         status=proposal.status, my_items=len(mine),
                         my_pending=sum(1 for i in mine if i.status == ItemStatus.PENDING),
                         final_status=lifecycle.final_status(proposal),
                         outdated=any(lifecycle.touches(i, stale) for i in mine),
                         next_version=lifecycle.next_version(session, proposal))


@router.post("/jobs/{job_id}/proposals", response_model=ProposalOut, status_code=status.HTTP_201_CREATED,
             tags=["proposals 方案"], summary="由成功的任务生成方案草稿 / make a draft proposal from a succeeded job")
def create_proposal(job_id: Id, actor: CoordinatorUser, session: SessionDep) -> ProposalOut:
    job = queries.get_job_for(session, actor, job_id)
    return proposal_out(session, proposals.create_proposal(session, actor, job))


@router.get("/rounds/{round_id}/proposals", response_model=list[ProposalOut] | list[ProposalBrief],
            tags=["proposals 方案"], summary="方案列表（企业只见已批准且只计自己的条目）/ proposals of a round "
            "(a firm sees approved ones, counting only its own items)")
def list_proposals(round_id: Id, user: CurrentUser, session: SessionDep) -> list[ProposalOut] | list[ProposalBrief]:
    rnd = queries.get_round_for(session, user, round_id)
    if user.role == Role.ENTERPRISE:
        return [proposal_brief(session, p, user) for p in queries.list_proposals(session, rnd.id, only_approved=True)]
    return [proposal_out(session, p) for p in queries.list_proposals(session, rnd.id)]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut | ProposalBrief, tags=["proposals 方案"],
            summary="方案（企业只见概要）/ a proposal (a firm sees a brief)")
def get_proposal(proposal_id: Id, user: CurrentUser, session: SessionDep) -> ProposalOut | ProposalBrief:
    proposal = queries.get_proposal_for(session, user, proposal_id)
    if user.role == Role.ENTERPRISE:
        return proposal_brief(session, proposal, user)
    return proposal_out(session, proposal)


@router.get("/proposals/{proposal_id}/items", response_model=list[ItemOut], tags=["proposals 方案"],
            summary="方案条目（企业只见自己的）/ items (a firm sees only its own)")
def list_items(proposal_id: Id, user: CurrentUser, session: SessionDep) -> list[ItemOut]:
    proposal = queries.get_proposal_for(session, user, proposal_id)
    stale, coming = stale_ids(session, proposal), lifecycle.next_version(session, proposal)
    return [item_out(i, user, stale, coming) for i in queries.items_visible(user, proposal.items)]


@router.post("/proposals/{proposal_id}/submit", response_model=ProposalOut, tags=["proposals 方案"],
             summary="提交指导员审核 / submit for the guide's review")
def submit_proposal(proposal_id: Id, actor: CoordinatorUser, session: SessionDep) -> ProposalOut:
    proposal = queries.get_proposal_for(session, actor, proposal_id)
    return proposal_out(session, proposals.submit(session, actor, proposal))


@router.post("/proposals/{proposal_id}/review", response_model=ProposalOut, tags=["proposals 方案"],
             summary="审核：批准或驳回（驳回须填意见）/ review: approve, or reject with a comment")
def review_proposal(proposal_id: Id, data: ReviewIn, guide: GuideUser, session: SessionDep) -> ProposalOut:
    proposal = queries.get_proposal_for(session, guide, proposal_id)
    proposals.review(session, guide, proposal, data.decision, data.comment)
    return proposal_out(session, proposal)


@router.post("/proposals/{proposal_id}/replan", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             tags=["proposals 方案"], summary="保留已确认、排除已拒绝，重新计划 / re-plan keeping confirmed items "
             "and excluding declined pairs")
def replan(proposal_id: Id, data: ReplanIn, actor: CoordinatorUser, session: SessionDep, settings: SettingsDep,
           request: Request) -> JobOut:
    proposal = queries.get_proposal_for(session, actor, proposal_id)
    return job_out(proposals.replan(session, actor, proposal, data, settings, runner_of(request)))


@router.post("/proposals/{proposal_id}/refresh", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED,
             tags=["proposals 方案"], summary="按最新填报重新计划（保留双方填报未变的已确认条目）/ re-plan on the "
             "latest reports, keeping confirmed items whose firms' reports did not change")
def refresh(proposal_id: Id, data: ReplanIn, actor: CoordinatorUser, session: SessionDep, settings: SettingsDep,
            request: Request) -> JobOut:
    proposal = queries.get_proposal_for(session, actor, proposal_id)
    return job_out(lifecycle.refresh(session, actor, proposal, data, settings, runner_of(request)))


@router.get("/items/{item_id}", response_model=ItemOut, tags=["items 条目确认"], summary="条目 / one item")
def get_item(item_id: Id, user: CurrentUser, session: SessionDep) -> ItemOut:
    item = queries.get_item_for(session, user, item_id)
    return item_out(item, user, stale_ids(session, item.proposal), lifecycle.next_version(session, item.proposal))


@router.post("/items/{item_id}/respond", response_model=ItemOut, tags=["items 条目确认"],
             summary="确认或拒绝（拒绝须说明原因）/ confirm, or decline with a reason")
def respond(item_id: Id, data: RespondIn, user: EnterpriseUser, session: SessionDep) -> ItemOut:
    item = queries.get_item_for(session, user, item_id)
    item = proposals.respond(session, user, item, data.answer, data.reason)
    return item_out(item, user, stale_ids(session, item.proposal), lifecycle.next_version(session, item.proposal))


@router.get("/me/items", response_model=list[ItemOut], tags=["items 条目确认"],
            summary="本企业在已批准方案中的条目 / my firm's items in approved proposals")
def my_items(
    user: CurrentUser, session: SessionDep,
    status_filter: Annotated[ItemStatus | None, Query(alias="status")] = None,
) -> list[ItemOut]:
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise Forbidden("仅企业账号 / enterprise accounts only")
    items = queries.items_of_enterprise(session, user.enterprise_id, status_filter.value if status_filter else None)
    stale: dict[int, set[int]] = {}
    coming: dict[int, str | None] = {}
    for i in items:
        if i.proposal_id not in stale:
            stale[i.proposal_id] = stale_ids(session, i.proposal)
            coming[i.proposal_id] = lifecycle.next_version(session, i.proposal)
    return [item_out(i, user, stale[i.proposal_id], coming[i.proposal_id]) for i in items]


