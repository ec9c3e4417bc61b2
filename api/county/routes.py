"""County routes (/api/v1/county): the alliance tree, escalation, withdrawal, and the views of each level.

Who sees what (docs/county.md): the county's staff see what was escalated into their round, never a park's
reports; a park's staff see what their round escalated and the county items of their own firms; a firm sees
only its own entries.  Anything else answers exactly like an id that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from api import queries
from api.county import queries as cq
from api.county import service
from api.county.scenario import county_data
from api.county.schemas import (
    CountyItemOut,
    EntryOut,
    EscalateIn,
    EscalationOut,
    OfferOut,
    ParentIn,
    PreviewEntry,
    PreviewOut,
    RetractIn,
    RoundRef,
    payload_of,
)
from api.deps import AdminUser, CoordinatorUser, EnterpriseUser, Id, PlannerReader, SessionDep
from api.errors import PROBLEM_RESPONSES, not_found
from api.models import Escalation, EscalationEntry, PlanningRound, RoundStatus, User
from api.proposal_schemas import Party
from api.routes.proposals import item_out
from api.schemas import AllianceOut

router = APIRouter(prefix="/county", tags=["county 县级联盟"], responses=PROBLEM_RESPONSES)


def round_ref(rnd: PlanningRound) -> RoundRef:
    return RoundRef(id=rnd.id, alliance_id=rnd.alliance_id, alliance_name=rnd.alliance.name, name=rnd.name,
                    start_date=rnd.start_date, horizon_days=rnd.horizon_days, status=rnd.status)


def entry_out(entry: EscalationEntry, left_out: dict[int, str] | None = None) -> EntryOut:
    ent = entry.enterprise
    return EntryOut(id=entry.id, escalation_id=entry.escalation_id, kind=entry.kind,
                    enterprise=Party.model_validate(ent, from_attributes=True), park=ent.alliance.name,
                    # Whom a firm blocks stays its own affair: the scenario uses it, the payload models leave it out.
                    payload=payload_of(entry.kind, entry.payload),
                    withdrawn_at=entry.withdrawn_at,
                    left_out=(left_out or {}).get(entry.id))


def escalation_out(esc: Escalation, left_out: dict[int, str] | None = None) -> EscalationOut:
    return EscalationOut(id=esc.id, from_round=round_ref(esc.from_round), to_round=round_ref(esc.to_round),
                         proposal_id=esc.proposal_id, created_at=esc.created_at,
                         entries=[entry_out(e, left_out) for e in esc.entries])


def _park_round(session: Session, user: User, round_id: int) -> PlanningRound:
    return queries.get_round_for(session, user, round_id)


# ----- the tree (admin) -------------------------------------------------------------------------------------


@router.put("/alliances/{alliance_id}/parent", response_model=AllianceOut,
            summary="设置上级联盟（不可成环）/ set the parent alliance (no cycles)")
def set_parent(alliance_id: Id, data: ParentIn, actor: AdminUser, session: SessionDep) -> AllianceOut:
    alliance = queries.get_alliance_for(session, actor, alliance_id)
    return AllianceOut.model_validate(service.set_parent(session, actor, alliance, data.parent_id))


# ----- the park's side --------------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/targets", response_model=list[RoundRef],
            summary="可提交的上级开放轮次 / open rounds of the parent alliance to escalate to")
def targets(round_id: Id, user: PlannerReader, session: SessionDep) -> list[RoundRef]:
    rnd = _park_round(session, user, round_id)
    return [round_ref(r) for r in service.target_rounds(session, rnd)]


@router.get("/rounds/{round_id}/leftovers", response_model=PreviewOut,
            summary="本园区方案未能消化的内容（预览，不保存）/ what the park plan could not clear (preview)")
def leftovers(round_id: Id, user: PlannerReader, session: SessionDep) -> PreviewOut:
    rnd = _park_round(session, user, round_id)
    proposal, specs = service.leftovers(session, rnd)
    entries = [PreviewEntry(enterprise=Party.model_validate(s["enterprise"], from_attributes=True), kind=s["kind"],
                            payload=payload_of(s["kind"], s["payload"])) for s in specs]
    return PreviewOut(proposal_id=proposal.id, proposal_version=proposal.version, entries=entries)


@router.post("/rounds/{round_id}/escalations", response_model=EscalationOut, status_code=status.HTTP_201_CREATED,
             summary="提交上级 / escalate what the park plan could not clear")
def escalate(round_id: Id, data: EscalateIn, actor: CoordinatorUser, session: SessionDep) -> EscalationOut:
    rnd = _park_round(session, actor, round_id)
    return escalation_out(service.escalate(session, actor, rnd, data.to_round_id))


@router.post("/escalations/{escalation_id}/retract", response_model=EscalationOut,
             summary="撤回整份上报（县级轮次关闭前）/ retract a whole escalation (before the county round closes)")
def retract(escalation_id: Id, data: RetractIn, actor: CoordinatorUser, session: SessionDep) -> EscalationOut:
    esc = cq.get_escalation(session, escalation_id)
    # Only the coordinator of the park that escalated; to anyone else it does not exist.
    if esc is None or actor.alliance_id != esc.from_round.alliance_id:
        raise not_found("上报 escalation", escalation_id)
    return escalation_out(service.retract(session, actor, esc, data.reason))


@router.get("/rounds/{round_id}/escalations", response_model=list[EscalationOut],
            summary="本轮次已提交上级的内容 / what this round escalated")
def escalations_from(round_id: Id, user: PlannerReader, session: SessionDep) -> list[EscalationOut]:
    rnd = _park_round(session, user, round_id)
    return [escalation_out(e) for e in cq.escalations_from(session, rnd.id)]


@router.get("/rounds/{round_id}/county-items", response_model=list[CountyItemOut],
            summary="县级方案中涉及本园区企业的条目 / county items that concern this park's firms")
def county_items(round_id: Id, user: PlannerReader, session: SessionDep) -> list[CountyItemOut]:
    rnd = _park_round(session, user, round_id)
    park_firms = cq.enterprise_ids_of(session, rnd.alliance_id)
    out = []
    for esc in cq.escalations_from(session, rnd.id):
        for item in cq.items_in_round(session, esc.to_round_id, park_firms):
            out.append(CountyItemOut(**item_out(item, user).model_dump(), county_round=round_ref(esc.to_round)))
    return out


# ----- the county's side ------------------------------------------------------------------------------------


@router.get("/rounds/{round_id}/received", response_model=list[EscalationOut],
            summary="本县级轮次收到的上报 / escalations this county round received")
def received(round_id: Id, user: PlannerReader, session: SessionDep) -> list[EscalationOut]:
    rnd = queries.get_round_for(session, user, round_id)
    _, left_out = county_data(session, rnd)
    return [escalation_out(e, left_out) for e in cq.escalations_into(session, rnd.id)]


# ----- the firm's side --------------------------------------------------------------------------------------


def offer_out(entry: EscalationEntry) -> OfferOut:
    county = entry.escalation.to_round
    base = dict(entry_out(entry))  # the fields as they are: the payload stays the model of its kind
    return OfferOut(**base, to_round=round_ref(county),
                    withdrawable=entry.withdrawn_at is None and county.status == RoundStatus.OPEN)


@router.get("/me/offers", response_model=list[OfferOut],
            summary="本企业提交上级的内容 / what of my firm is offered upward")
def my_offers(user: EnterpriseUser, session: SessionDep) -> list[OfferOut]:
    assert user.enterprise_id is not None
    return [offer_out(e) for e in cq.entries_of_enterprise(session, user.enterprise_id)]


@router.post("/offers/{entry_id}/withdraw", response_model=OfferOut,
             summary="撤回上报（县级轮次关闭前）/ withdraw an offer (before the county round closes)")
def withdraw(entry_id: Id, user: EnterpriseUser, session: SessionDep) -> OfferOut:
    entry = cq.get_entry(session, entry_id)
    if entry is None or entry.enterprise_id != user.enterprise_id:
        raise not_found("上报 offer", entry_id)
    return offer_out(service.withdraw(session, user, entry))
