"""Proposals from plans, the guide's review, the firms' confirmations, and re-planning.

Items: one per sub-contract (order, owner, site) and one per loan (skill,
lender, borrower), with their rows and terms.  After a guide approves, both
parties answer each item: two confirmations confirm it, one decline
declines it.  A re-plan keeps every confirmed item (pinned rows), forbids the
pairs of declined items (and those a previous re-plan forbade), solves the
same snapshot again, and the new proposal lists what changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from alliance.plan import Plan
from alliance.replan import DEFAULT_CHANGE_PENALTY
from alliance.scenario import Scenario, load_scenario
from api import queries
from api.county import queries as county_queries
from api.county import service as county_service
from api.errors import Conflict, Forbidden, InvalidInput, make_field_error
from api.models import (
    Answer,
    Decision,
    ItemKind,
    ItemResponse,
    ItemStatus,
    JobStatus,
    PlanningJob,
    Proposal,
    ProposalItem,
    ProposalStatus,
    ReviewDecision,
    Role,
    User,
    utcnow,
)
from api.notifications.service import coordinators_of, notify, users_of_firms
from api.proposal_schemas import LoanTerms, ReplanIn, SubcontractTerms
from api.services import audit, changes, lifecycle, planning
from api.services.jobs import Runner
from api.services.reporting import report_of
from api.settings import Settings


@dataclass
class ItemSpec:
    kind: ItemKind
    key: str
    first: str  # owner / lender code
    second: str  # site / borrower code
    order_id: str | None = None
    skill: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    terms: dict[str, Any] = field(default_factory=dict)


def subcontract_key(order: str, site: str) -> str:
    return f"subcontract:{order}:{site}"


def loan_key(skill: str, lender: str, borrower: str) -> str:
    return f"loan:{skill}:{lender}:{borrower}"


def derive_items(scenario: Scenario, plan: Plan) -> list[ItemSpec]:
    """The proposal's items: rows from the plan, money from the plan's report (``alliance.report``)."""
    report = report_of(scenario, plan)
    pol = scenario.policy
    subs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in plan.production:
        if row.site != scenario.order(row.order).owner:
            subs[(row.order, row.site)].append(row.model_dump(mode="json"))
    loans: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for loan in plan.loans:
        loans[(loan.skill, loan.lender, loan.borrower)].append(loan.model_dump(mode="json", by_alias=True))

    items = []
    for group in report["subcontracts"]:
        order = scenario.order(group["order"])
        rows = subs[(group["order"], group["site"])]
        terms = SubcontractTerms(
            units=group["units"],
            days=sorted({r["day"] for r in rows}),
            process=order.process,
            skill=order.skill,
            value_per_unit=order.value_per_unit,
            settlement_value=group["settlement_value"],
            transport_cost=group["transport_cost"],
            distance_km=group["distance_km"],
            due_day=order.due_day,
            transport_days=pol.transport_days,
            ship_by_day=scenario.last_day_at(order, group["site"]),
            min_quality_level=order.min_quality_level,
        ).model_dump()
        items.append(ItemSpec(ItemKind.SUBCONTRACT, subcontract_key(order.id, group["site"]), order.owner,
                              group["site"], order_id=order.id, rows=rows, terms=terms))
    for group in report["loans"]:
        rows = loans[(group["skill"], group["lender"], group["borrower"])]
        terms = LoanTerms(
            headcount=max(r["workers"] for r in rows),
            days=sorted({r["day"] for r in rows}),
            worker_days=group["worker_days"],
            workday_minutes=pol.workday_minutes,
            wage_per_day=group["wage_per_day"],
            wage_reimbursed=group["wage_reimbursed"],
            commute_cost=group["commute_cost"],
            distance_km=group["distance_km"],
        ).model_dump()
        items.append(ItemSpec(ItemKind.LOAN, loan_key(group["skill"], group["lender"], group["borrower"]),
                              group["lender"], group["borrower"], skill=group["skill"], rows=rows, terms=terms))
    # The report groups exactly the rows: anything else would be a broken report, not a smaller proposal.
    assert {(i.order_id, i.second) for i in items if i.kind == ItemKind.SUBCONTRACT} == set(subs)
    assert {(i.skill, i.first, i.second) for i in items if i.kind == ItemKind.LOAN} == set(loans)
    return sorted(items, key=lambda i: i.key)


def _summary(plan: Plan, items: list[ItemSpec]) -> dict[str, Any]:
    report = plan.report or {}
    return {
        "plan_status": plan.status.value,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "subcontracts": sum(1 for i in items if i.kind == ItemKind.SUBCONTRACT),
        "loans": sum(1 for i in items if i.kind == ItemKind.LOAN),
        "figures": report.get("figures"),
        "unmet": report.get("unmet"),
    }


def _changes(scenario: Scenario, plan: Plan, previous: Proposal | None, items: list[ItemSpec]) -> dict[str, Any] | None:
    if previous is None:
        return None
    disruption = getattr(plan, "disruption", None)
    return changes.describe(scenario, previous.id, list(previous.items), {i.key: i.rows for i in items},
                            disruption if isinstance(disruption, dict) else None)


def create_proposal(session: Session, actor: User, job: PlanningJob) -> Proposal:
    if job.status != JobStatus.SUCCEEDED or job.plan is None:
        raise Conflict(f"任务 {job.id} 未成功完成（{job.status}），不能生成方案 / job {job.id} did not succeed "
                       f"({job.status}); no proposal can be made from it")
    if queries.proposals_of_job(session, job.id):
        raise Conflict(f"任务 {job.id} 已生成方案 / job {job.id} already has a proposal")
    county_service.check_snapshot_current(session, job)
    scenario = load_scenario(job.snapshot)
    plan = Plan.model_validate(job.plan)
    specs = derive_items(scenario, plan)
    rnd = job.round
    # A county round's scenario also names the firms of its parks, by scoped code (api/county).
    members = county_queries.scenario_members(session, rnd)
    previous = None
    if job.replan and job.replan.get("from_proposal"):
        previous = session.get(Proposal, job.replan["from_proposal"])
    if previous is None:
        previous = queries.latest_proposal(session, rnd.id)
    proposal = Proposal(
        job_id=job.id, round_id=rnd.id, version=queries.next_proposal_version(session, rnd.id),
        status=ProposalStatus.DRAFT.value, previous_id=previous.id if previous else None,
        changes=_changes(scenario, plan, previous, specs), summary=_summary(plan, specs), created_by=actor.id,
    )
    session.add(proposal)
    session.flush()
    confirmed_before = {i.key: i for i in (previous.items if previous else []) if i.status == ItemStatus.CONFIRMED}
    for spec in specs:
        item = ProposalItem(
            proposal_id=proposal.id, kind=spec.kind.value, key=spec.key, order_id=spec.order_id, skill=spec.skill,
            first_party_id=members[spec.first].id, second_party_id=members[spec.second].id,
            rows=spec.rows, terms=spec.terms, status=ItemStatus.PENDING.value,
        )
        carried = confirmed_before.get(spec.key)
        if carried is not None and carried.rows == spec.rows:
            # Confirmed before with the very same rows: the re-plan pinned it, nobody answers twice.
            item.status = ItemStatus.CONFIRMED.value
            item.carried_from_id = carried.id
            item.decided_at = carried.decided_at
            item.decided_by = carried.decided_by
            item.reason = "沿用上一版已确认条目 / confirmed in the previous proposal, carried over"
        session.add(item)
    session.flush()
    session.refresh(proposal)
    audit.record(session, actor, "proposal.create", "proposal", proposal.id,
                 after={**audit.state(proposal), "items": len(specs)}, alliance_id=rnd.alliance_id)
    return proposal


def submit(session: Session, actor: User, proposal: Proposal) -> Proposal:
    lifecycle.check_submittable(session, proposal)
    if proposal.status != ProposalStatus.DRAFT:
        raise Conflict(f"方案 {proposal.id} 状态为 {proposal.status}，不能提交审核 / proposal {proposal.id} is "
                       f"{proposal.status} and cannot be submitted")
    before = audit.state(proposal)
    proposal.status = ProposalStatus.SUBMITTED.value
    proposal.submitted_at = utcnow()
    alliance_id = proposal.round.alliance_id
    audit.record(session, actor, "proposal.submit", "proposal", proposal.id, before=before,
                 after=audit.state(proposal), alliance_id=alliance_id)
    notify(session, alliance_id, queries.guides_of(session, alliance_id), "proposal.to_review",
           f"「{proposal.round.name}」方案第 {proposal.version} 版待您审核",
           f"Proposal version {proposal.version} of “{proposal.round.name}” awaits your review",
           f"/proposals/{proposal.id}")
    return proposal


def review(session: Session, guide: User, proposal: Proposal, decision: str, comment: str) -> ReviewDecision:
    comment = comment.strip()
    if decision == Decision.REJECT and not comment:
        raise InvalidInput("驳回必须填写意见 / a rejection needs a comment",
                           [make_field_error(["body", "comment"], "驳回必须填写意见 / required when rejecting",
                                             "missing", comment)])
    if proposal.status != ProposalStatus.SUBMITTED:
        raise Conflict(f"方案 {proposal.id} 状态为 {proposal.status}，不在待审状态 / proposal {proposal.id} is "
                       f"{proposal.status}, not submitted for review")
    before = audit.state(proposal)
    entry = ReviewDecision(proposal_id=proposal.id, guide_id=guide.id, decision=decision, comment=comment)
    session.add(entry)
    proposal.status = (ProposalStatus.APPROVED if decision == Decision.APPROVE else ProposalStatus.REJECTED).value
    session.flush()
    alliance_id = proposal.round.alliance_id
    audit.record(session, guide, f"proposal.{proposal.status}", "proposal", proposal.id, before=before,
                 after={**audit.state(proposal), "comment": comment}, alliance_id=alliance_id)
    _notify_review(session, proposal, comment)
    return entry


def _notify_review(session: Session, proposal: Proposal, comment: str) -> None:
    alliance_id, name, version = proposal.round.alliance_id, proposal.round.name, proposal.version
    if proposal.status == ProposalStatus.APPROVED:
        notify(session, alliance_id, coordinators_of(session, alliance_id), "proposal.approved",
               f"「{name}」方案第 {version} 版已获批准，等待企业确认",
               f"Proposal version {version} of “{name}” is approved: the firms confirm their items next",
               f"/proposals/{proposal.id}")
        # Items already confirmed in an earlier version are carried over: their firms have nothing to answer.
        pending = {p for item in proposal.items if item.status == ItemStatus.PENDING
                   for p in (item.first_party_id, item.second_party_id)}
        notify(session, alliance_id, users_of_firms(session, sorted(pending)), "items.to_confirm",
               f"「{name}」方案已获批准，有涉及贵企业的条目待确认",
               f"The plan of “{name}” is approved: items of your firm await your answer", "/items")
    else:
        notify(session, alliance_id, coordinators_of(session, alliance_id), "proposal.rejected",
               f"「{name}」方案第 {version} 版被驳回：{comment}",
               f"Proposal version {version} of “{name}” was rejected: {comment}", f"/proposals/{proposal.id}")


def respond(session: Session, user: User, item: ProposalItem, answer: str, reason: str | None) -> ProposalItem:
    reason = (reason or "").strip() or None
    if answer == Answer.DECLINE and not reason:
        raise InvalidInput("拒绝必须说明原因 / a decline needs a reason",
                           [make_field_error(["body", "reason"], "拒绝必须说明原因 / required when declining",
                                             "missing", reason)])
    if user.role != Role.ENTERPRISE or user.enterprise_id not in (item.first_party_id, item.second_party_id):
        raise Forbidden("只有条目双方企业可以确认或拒绝 / only the two firms of an item answer it")
    if item.proposal.status != ProposalStatus.APPROVED:
        raise Conflict("方案未获批准 / the proposal is not approved")
    lifecycle.check_answerable(session, item)
    assert user.enterprise_id is not None
    final_before = lifecycle.final_status(item.proposal)
    before = {"status": item.status, "responses": [(r.enterprise_id, r.answer) for r in item.responses]}
    now = utcnow()
    existing = queries.response_of(session, item.id, user.enterprise_id)
    if existing is None:
        existing = ItemResponse(item_id=item.id, enterprise_id=user.enterprise_id)
        session.add(existing)
    existing.answer, existing.reason, existing.decided_by, existing.decided_at = answer, reason, user.id, now
    session.flush()
    session.refresh(item)
    # From both answers, so that a changed answer (until the coordinator acts) changes the item's status too.
    status, why = lifecycle.item_status_from(item)
    if status != item.status or why != item.reason:
        item.status, item.reason = status, why
        item.decided_by, item.decided_at = (user.id, now) if status != ItemStatus.PENDING else (None, None)
    audit.record(session, user, f"item.{answer}", "proposal_item", item.id, before=before,
                 after={"status": item.status, "answer": answer, "reason": reason,
                        "enterprise_id": user.enterprise_id},
                 alliance_id=item.proposal.round.alliance_id)
    final_after = lifecycle.final_status(item.proposal)
    if final_after != final_before and final_after in (lifecycle.SETTLED, lifecycle.NEEDS_REPLAN):
        # The coordinator reads in the log when the last answer settled the proposal (or called for a re-plan).
        audit.record(session, user, f"proposal.{final_after}", "proposal", item.proposal_id,
                     before={"final_status": final_before}, after={"final_status": final_after},
                     alliance_id=item.proposal.round.alliance_id)
    return item


def replan(session: Session, actor: User, proposal: Proposal, requested: ReplanIn, settings: Settings,
           runner: Runner) -> PlanningJob:
    if proposal.status != ProposalStatus.APPROVED:
        raise Conflict(f"只有已批准的方案可以重新计划 / only an approved proposal can be re-planned "
                       f"(proposal {proposal.id} is {proposal.status})")
    job = proposal.job
    production: list[dict[str, Any]] = []
    loans: list[dict[str, Any]] = []
    forbidden = {tuple(sorted(p)) for p in (job.replan or {}).get("forbidden_pairs", [])}
    for item in proposal.items:
        if item.status == ItemStatus.CONFIRMED:
            (production if item.kind == ItemKind.SUBCONTRACT else loans).extend(item.rows)
        elif item.status == ItemStatus.DECLINED:
            forbidden.add(tuple(sorted((county_queries.scenario_code(item.first_party, proposal.round),
                                        county_queries.scenario_code(item.second_party, proposal.round)))))
    # Items nobody has answered yet are the preferred arrangement: a change costs the penalty (alliance/replan.py).
    preferred_production: list[dict[str, Any]] = []
    preferred_loans: list[dict[str, Any]] = []
    for item in proposal.items:
        if item.status == ItemStatus.PENDING:
            (preferred_production if item.kind == ItemKind.SUBCONTRACT else preferred_loans).extend(item.rows)
    previous_plan = job.plan or {}
    constraints = {
        "from_proposal": proposal.id,
        "production": production,
        "loans": loans,
        "forbidden_pairs": [list(p) for p in sorted(forbidden)],
        "preferred_production": preferred_production,
        "preferred_loans": preferred_loans,
        "change_penalty": (requested.change_penalty if requested.change_penalty is not None
                           else DEFAULT_CHANGE_PENALTY),
        "start_production": previous_plan.get("production", []),
        "start_loans": previous_plan.get("loans", []),
    }
    return planning.create_job(session, actor, proposal.round, requested, settings, runner,
                               snapshot=job.snapshot, replan=constraints, replan_of=job.id)
