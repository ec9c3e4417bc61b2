"""The county domain's logic: the alliance tree, escalation (提交上级), withdrawal, and what each level sees.

See docs/county.md.  The county round then runs the normal flow (job -> proposal -> review -> confirmation);
:func:`planning_data` and :func:`check_snapshot_current` are its two hooks into that flow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from alliance.leftover import delivered_units, leftover_capacity
from alliance.plan import Plan
from alliance.scenario import load_scenario
from api import queries
from api.county import queries as cq
from api.county.scenario import county_data
from api.county.taken import taken_upward
from api.errors import Conflict, InvalidInput, make_field_error, not_found
from api.models import (
    Alliance,
    EntryKind,
    Escalation,
    EscalationEntry,
    ItemKind,
    ItemStatus,
    PlanningJob,
    PlanningRound,
    ProposalItem,
    ProposalStatus,
    RoundStatus,
    User,
    utcnow,
)
from api.notifications.service import coordinators_of, notify
from api.services import audit
from api.services.scenarios import order_id, order_ref

WITHDRAWN_REASON = "企业已撤回上报 / the firm withdrew what it offered upward"


# ----- the tree ---------------------------------------------------------------------------------------------


def set_parent(session: Session, actor: User, alliance: Alliance, parent_id: int | None) -> Alliance:
    """Hang ``alliance`` under ``parent_id`` (None: make it a root); a cycle is refused naming the value."""
    before = audit.state(alliance)
    if parent_id is not None:
        parent = queries.get_alliance(session, parent_id)
        if parent is None:
            raise InvalidInput(f"上级联盟 {parent_id} 不存在 / parent alliance {parent_id} does not exist",
                               [make_field_error(["body", "parent_id"], "不存在 / does not exist", "unknown_alliance",
                                                 parent_id)])
        if parent.id == alliance.id or parent.id in cq.descendant_ids(session, alliance.id):
            raise InvalidInput(
                f"联盟 {parent.code} 在 {alliance.code} 之下，不能作其上级（会成环）/ alliance {parent.code} is "
                f"{alliance.code} itself or below it: that would make a cycle",
                [make_field_error(["body", "parent_id"], "会成环 / would make a cycle", "cycle", parent_id)])
    alliance.parent_id = parent_id
    audit.record(session, actor, "alliance.parent", "alliance", alliance.id, before=before,
                 after=audit.state(alliance), alliance_id=alliance.id)
    return alliance


# ----- escalation -------------------------------------------------------------------------------------------


def target_rounds(session: Session, rnd: PlanningRound) -> list[PlanningRound]:
    parent = rnd.alliance.parent_id
    return list(cq.open_rounds(session, parent)) if parent is not None else []


def _source_proposal(session: Session, rnd: PlanningRound) -> Any:
    approved = queries.list_proposals(session, rnd.id, only_approved=True)
    if not approved:
        raise Conflict(f"轮次 {rnd.id} 尚无已批准的方案，先完成本园区计划 / round {rnd.id} has no approved "
                       "proposal yet: finish the park's own plan first")
    proposal = approved[0]
    declined = [i for i in proposal.items if i.status == ItemStatus.DECLINED]
    if declined:
        raise Conflict(f"方案第 {proposal.version} 版有 {len(declined)} 个被拒绝的条目，请先重新计划 / proposal "
                       f"version {proposal.version} has {len(declined)} declined item(s): re-plan first")
    return proposal


def leftovers(session: Session, rnd: PlanningRound) -> tuple[Any, list[dict[str, Any]]]:
    """What the park's approved plan could not clear, as entry specs (firm, kind, payload); nothing is saved."""
    proposal = _source_proposal(session, rnd)
    job = proposal.job
    scenario = load_scenario(job.snapshot)
    plan = Plan.model_validate(job.plan)
    # Scenario ids -> firms: plain codes in a park round, scoped ones when a county round escalates further up.
    members = cq.scenario_members(session, rnd)
    reasons = {u["order"]: u for u in (plan.report or {}).get("unmet", [])}
    done = delivered_units(plan)
    # What earlier county rounds already took of this round's offers is not offered again (api/county/taken.py).
    taken = taken_upward(session, rnd)
    start = rnd.start_date.isoformat()
    specs: list[dict[str, Any]] = []
    for order in scenario.orders:
        left = taken.cap_units(order.owner, order.id, order.quantity - done.get(order.id, 0))
        if left <= 0:
            continue
        why = reasons.get(order.id, {})
        body = order.model_dump(mode="json", exclude={"owner"})
        body.update(id=order_ref(order.owner, order.id), quantity=left)
        specs.append({"enterprise": members[order.owner], "kind": EntryKind.ORDER.value, "payload": {
            "order": body, "park_order_id": order.id, "quantity": order.quantity, "planned": done.get(order.id, 0),
            "release_date": (rnd.start_date + dt.timedelta(days=order.release_day)).isoformat(),
            "due_date": (rnd.start_date + dt.timedelta(days=order.due_day)).isoformat(),
            "reason": why.get("reason"), "reason_zh": why.get("reason_zh"), "reason_en": why.get("reason_en"),
        }})
    for code, park_left in leftover_capacity(scenario, plan).items():
        left_cap = taken.cap_capacity(code, park_left)
        if left_cap.is_empty():
            continue
        ent = scenario.enterprise(code)
        specs.append({"enterprise": members[code], "kind": EntryKind.CAPACITY.value, "payload": {
            "start_date": start, "horizon_days": rnd.horizon_days,
            "idle_workers": left_cap.idle_workers, "lendable_workers": left_cap.lendable_workers,
            "spare_machine_hours": left_cap.spare_machine_hours,
            # By row id: the firm's scenario code differs between levels.
            "blocked_enterprise_ids": [members[b].id for b in ent.blocked_partners if b in members],
        }})
    return proposal, specs


def _county_round_for(session: Session, rnd: PlanningRound, to_round_id: int) -> PlanningRound:
    target = queries.get_round(session, to_round_id)
    # Any round but an open one of the direct parent answers as if it did not exist: nothing about other levels.
    if target is None or rnd.alliance.parent_id is None or target.alliance_id != rnd.alliance.parent_id:
        raise not_found("上级轮次 county round", to_round_id)
    if target.status != RoundStatus.OPEN:
        raise Conflict(f"上级轮次 {target.id} 已关闭 / the county round {target.id} is closed")
    return target


def escalate(session: Session, actor: User, rnd: PlanningRound, to_round_id: int) -> Escalation:
    target = _county_round_for(session, rnd, to_round_id)
    for other in cq.escalations_into(session, target.id):
        if other.from_round.alliance_id == rnd.alliance_id:
            raise Conflict(f"本联盟已向上级轮次 {target.id} 提交（轮次 {other.from_round_id}）/ this alliance already "
                           f"escalated to county round {target.id} (from round {other.from_round_id})")
    proposal, specs = leftovers(session, rnd)
    if not specs:
        raise Conflict("方案已全部消化，没有可提交上级的内容 / the plan cleared everything: nothing to escalate")
    esc = Escalation(from_round_id=rnd.id, to_round_id=target.id, proposal_id=proposal.id, created_by=actor.id)
    session.add(esc)
    session.flush()
    for spec in specs:
        session.add(EscalationEntry(escalation_id=esc.id, enterprise_id=spec["enterprise"].id, kind=spec["kind"],
                                    payload=spec["payload"]))
    session.flush()
    session.refresh(esc)
    summary = {"from_round_id": rnd.id, "to_round_id": target.id, "proposal_id": proposal.id,
               "orders": sum(1 for s in specs if s["kind"] == EntryKind.ORDER),
               "capacity": sum(1 for s in specs if s["kind"] == EntryKind.CAPACITY)}
    audit.record(session, actor, "escalation.create", "escalation", esc.id, after=summary, alliance_id=rnd.alliance_id)
    audit.record(session, actor, "escalation.receive", "escalation", esc.id, after=summary,
                 alliance_id=target.alliance_id)
    return esc


def _resting_items(session: Session, entry: EscalationEntry) -> list[ProposalItem]:
    """The county items that use this entry; refused (409) if one of them is confirmed in an approved plan."""
    county = entry.escalation.to_round
    mine = [i for i in cq.items_in_round(session, county.id, {entry.enterprise_id}) if _rests_on(entry, i)]
    confirmed = [i for i in mine if i.status == ItemStatus.CONFIRMED and i.proposal.status == ProposalStatus.APPROVED]
    if confirmed:
        raise Conflict(f"{entry.enterprise.name} 已确认 {len(confirmed)} 个县级条目，不能撤回 / "
                       f"{len(confirmed)} county item(s) of {entry.enterprise.code} are already confirmed: they "
                       "cannot be withdrawn")
    return mine


def _take_back(user: User, entry: EscalationEntry, resting: list[ProposalItem], reason: str) -> list[int]:
    now = utcnow()
    entry.withdrawn_at, entry.withdrawn_by = now, user.id
    declined = []
    for item in resting:
        if item.status == ItemStatus.PENDING:
            item.status, item.reason, item.decided_by, item.decided_at = (ItemStatus.DECLINED.value, reason,
                                                                          user.id, now)
            declined.append(item.id)
    return declined


def _check_open(county: PlanningRound) -> None:
    if county.status != RoundStatus.OPEN:
        raise Conflict(f"上级轮次 {county.id} 已关闭，不能撤回 / the county round {county.id} is closed")


def withdraw(session: Session, user: User, entry: EscalationEntry) -> EscalationEntry:
    """The firm takes back one entry while the county round is open; pending county items resting on it are
    declined (the plan counted on it), and an entry with a confirmed county item cannot be withdrawn."""
    county = entry.escalation.to_round
    if entry.withdrawn_at is not None:
        raise Conflict(f"上报 {entry.id} 已撤回 / entry {entry.id} is already withdrawn")
    _check_open(county)
    declined = _take_back(user, entry, _resting_items(session, entry), WITHDRAWN_REASON)
    audit.record(session, user, "escalation.withdraw", "escalation_entry", entry.id,
                 after={"kind": entry.kind, "enterprise_id": entry.enterprise_id, "declined_items": declined},
                 alliance_id=county.alliance_id)
    return entry


def retract(session: Session, actor: User, esc: Escalation, reason: str) -> Escalation:
    """The park coordinator takes back the whole escalation while the county round is open: every entry not yet
    withdrawn is, as if each firm had withdrawn it, or nothing is (one confirmed county item refuses it all).
    The escalation stays on the record; the county coordinators are told why."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("撤回须说明原因 / a retraction needs a reason",
                           [make_field_error(["body", "reason"], "必填 / required", "missing", reason)])
    county = esc.to_round
    _check_open(county)
    live = [e for e in esc.entries if e.withdrawn_at is None]
    if not live:
        raise Conflict(f"上报 {esc.id} 的各项均已撤回 / every entry of escalation {esc.id} is already withdrawn")
    resting = [(e, _resting_items(session, e)) for e in live]  # all checked before anything changes
    why = f"园区协调员撤回上报：{reason} / the park coordinator retracted the escalation: {reason}"
    declined = sorted({i for e, items in resting for i in _take_back(actor, e, items, why)})
    after = {"entries": [e.id for e in live], "declined_items": declined, "reason": reason}
    audit.record(session, actor, "escalation.retract", "escalation", esc.id, after=after,
                 alliance_id=esc.from_round.alliance_id)
    audit.record(session, actor, "escalation.retracted", "escalation", esc.id, after=after,
                 alliance_id=county.alliance_id)
    park = esc.from_round.alliance.name
    notify(session, county.alliance_id, coordinators_of(session, county.alliance_id), "escalation.retracted",
           f"{park}撤回了提交至「{county.name}」的上报：{reason}",
           f"{park} retracted what it escalated to “{county.name}”: {reason}", "/county")
    return esc


def _rests_on(entry: EscalationEntry, item: ProposalItem) -> bool:
    """Whether a county item uses this entry: a sub-contract of the firm's own order uses that order's entry
    only; anything else (its site producing, its workers lent, workers it borrows for its orders) uses them all."""
    if item.kind == ItemKind.SUBCONTRACT and item.first_party_id == entry.enterprise_id:
        if entry.kind != EntryKind.ORDER:
            return False
        county = entry.escalation.to_round
        return item.order_id == order_id(cq.scenario_code(entry.enterprise, county), entry.payload["order"]["id"])
    return True


# ----- hooks into the normal planning flow ------------------------------------------------------------------


def planning_data(session: Session, rnd: PlanningRound) -> dict[str, Any] | None:
    """The scenario document of a round that received escalations (None: an ordinary round)."""
    if not cq.has_escalations_into(session, rnd.id):
        return None
    data, _ = county_data(session, rnd)
    return data


def check_snapshot_current(session: Session, job: PlanningJob) -> None:
    """A county plan solved before a firm withdrew would offer what is no longer there: 409, plan again."""
    # A re-plan solves its first job's snapshot again: the snapshot dates from that job.
    first = job
    while first.replan_of is not None:
        parent = session.get(PlanningJob, first.replan_of)
        if parent is None:
            break
        first = parent
    stale = cq.withdrawn_since(session, job.round_id, first.created_at)
    if stale:
        raise Conflict(f"任务 {job.id} 之后有 {len(stale)} 项上报被企业撤回，请重新请求计划 / {len(stale)} escalated "
                       f"entr(y/ies) were withdrawn after job {job.id}: request a new plan")
