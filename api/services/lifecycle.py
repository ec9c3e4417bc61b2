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
from typing import Any

from sqlalchemy.orm import Session

from api import queries
from api.errors import Conflict
from api.models import (
    Enterprise,
    ItemKind,
    ItemStatus,
    JobStatus,
    PlanningJob,
    PlanningRound,
    Proposal,
    ProposalItem,
    ProposalStatus,
    User,
)
from api.schemas import SolveSettings
from api.services import planning
from api.services.jobs import Runner
from api.settings import Settings

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


# ----- plans that know their inputs ------------------------------------------------------------------------


def stale_firms(session: Session, proposal: Proposal) -> list[Enterprise]:
    """Firms whose report changed (a newer version, or a first report) after the proposal's plan was built.

    Empty when the job did not record its inputs (jobs from before this was kept)."""
    recorded = proposal.job.report_versions
    if recorded is None:
        return []
    latest = queries.latest_versions(session, proposal.round_id)
    ids = {eid for eid, version in latest.items() if version > int(recorded.get(str(eid), 0))}
    return [e for e in queries.list_enterprises(session, proposal.round.alliance_id) if e.id in ids]


def touches(item: ProposalItem, firm_ids: set[int]) -> bool:
    return item.first_party_id in firm_ids or item.second_party_id in firm_ids


def refresh(session: Session, actor: User, proposal: Proposal, requested: SolveSettings, settings: Settings,
            runner: Runner) -> PlanningJob:
    """The one-click re-plan of an outdated proposal: a new job on the latest reports.

    An approved proposal keeps what was agreed where the inputs did not move: confirmed items whose two firms
    kept their reports are pinned, declined pairs stay excluded; items of a firm that changed its report are
    planned afresh (its orders or capacity may be gone)."""
    stale = {e.id for e in stale_firms(session, proposal)}
    if not stale:
        raise Conflict(f"方案 {proposal.id} 所依据的填报没有变化，无需按新填报重新计划 / proposal {proposal.id} was "
                       "built on the latest reports; nothing to refresh")
    if any(j.status in (JobStatus.QUEUED, JobStatus.RUNNING) for j in queries.list_jobs(session, proposal.round_id)):
        raise Conflict("本轮已有计划任务在计算，请等它完成 / a planning job of this round is still running")
    production: list[dict[str, Any]] = []
    loans: list[dict[str, Any]] = []
    forbidden = {tuple(sorted(p)) for p in (proposal.job.replan or {}).get("forbidden_pairs", [])}
    if proposal.status == ProposalStatus.APPROVED:
        for item in proposal.items:
            if item.status == ItemStatus.CONFIRMED and not touches(item, stale):
                (production if item.kind == ItemKind.SUBCONTRACT else loans).extend(item.rows)
            elif item.status == ItemStatus.DECLINED:
                forbidden.add(tuple(sorted((item.first_party.code, item.second_party.code))))
    constraints = {"from_proposal": proposal.id, "production": production, "loans": loans,
                   "forbidden_pairs": [list(p) for p in sorted(forbidden)], "refresh": True}
    return planning.create_job(session, actor, proposal.round, requested, settings, runner, replan=constraints)


# ----- the review loop -------------------------------------------------------------------------------------

REPLANNING, PREPARING, SUPERSEDED = "replanning", "preparing", "superseded"
# A failed or cancelled re-plan changed nothing: the answers stay open.
_ACTING_JOB = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED)


def next_version(session: Session, proposal: Proposal) -> str | None:
    """What the coordinator did with this proposal: a re-plan from it is running or done but not yet proposed
    (``replanning``), a new version is made but not yet approved (``preparing``), a new version was approved
    (``superseded``); None: nothing yet, the firms' answers are still open."""
    later = [p for p in queries.list_proposals(session, proposal.round_id) if p.previous_id == proposal.id]
    if any(p.status == ProposalStatus.APPROVED for p in later):
        return SUPERSEDED
    if later:
        return PREPARING
    for job in queries.list_jobs(session, proposal.round_id):
        if (job.replan or {}).get("from_proposal") == proposal.id and job.status in _ACTING_JOB:
            return REPLANNING
    return None


def acted_on(session: Session, proposal: Proposal) -> bool:
    """The coordinator acted on the answers: a re-plan from this proposal runs, ran, or made a new version."""
    return next_version(session, proposal) is not None


def same_items(a: Proposal, b: Proposal) -> bool:
    return {i.key: i.rows for i in a.items} == {i.key: i.rows for i in b.items}


def last_rejected_before(session: Session, proposal: Proposal) -> Proposal | None:
    for other in queries.list_proposals(session, proposal.round_id):  # newest first
        if other.version < proposal.version and other.status == ProposalStatus.REJECTED:
            return other
    return None


def since_rejected(session: Session, proposal: Proposal) -> dict[str, Any] | None:
    """What changed since the round's latest rejected version before this one, with the guide's comment."""
    rejected = last_rejected_before(session, proposal)
    if rejected is None:
        return None
    old = {i.key: i.rows for i in rejected.items}
    new = {i.key: i.rows for i in proposal.items}
    reviews = queries.reviews_of(session, rejected.id)
    comment = next((r.comment for r in reversed(reviews) if r.decision == "reject"), "")
    return {
        "rejected_id": rejected.id, "rejected_version": rejected.version, "comment": comment,
        "added": sorted(new.keys() - old.keys()), "removed": sorted(old.keys() - new.keys()),
        "changed": sorted(k for k in new.keys() & old.keys() if new[k] != old[k]),
        "kept": sorted(k for k in new.keys() & old.keys() if new[k] == old[k]),
    }


def check_submittable(session: Session, proposal: Proposal) -> None:
    """A rejected proposal is not sent back as it was: a new version must differ from the rejected one."""
    if proposal.status == ProposalStatus.REJECTED:
        raise Conflict(f"第 {proposal.version} 版已被驳回，不能原样再次提交；请按意见修改填报或重新计划，提交新版本 / "
                       f"version {proposal.version} was rejected and cannot be resubmitted unchanged; change the "
                       "reports or re-plan, then submit the new version")
    rejected = last_rejected_before(session, proposal)
    if rejected is not None and same_items(proposal, rejected):
        raise Conflict(f"第 {proposal.version} 版与被驳回的第 {rejected.version} 版条目完全相同，不能提交 / version "
                       f"{proposal.version} has the same items as the rejected version {rejected.version}")


def check_answerable(session: Session, item: ProposalItem) -> None:
    """A firm may change its answer until the coordinator acts on the answers (re-plans)."""
    if item.carried_from_id is not None:
        raise Conflict(f"条目 {item.id} 沿用上一版已确认的安排，不能再改 / item {item.id} was confirmed in the "
                       "previous version and carried over")
    if acted_on(session, item.proposal):
        raise Conflict(f"协调员已据答复重新计划，条目 {item.id} 的答复不能再改 / the coordinator has re-planned on "
                       f"the answers; item {item.id} can no longer be changed")


def item_status_from(item: ProposalItem) -> tuple[str, str | None]:
    """One decline declines; two confirmations confirm; otherwise pending."""
    answers = {r.enterprise_id: r for r in item.responses}
    declined = [r for r in answers.values() if r.answer == "decline"]
    if declined:
        return ItemStatus.DECLINED.value, declined[0].reason
    if all(answers.get(p) is not None and answers[p].answer == "confirm"
           for p in (item.first_party_id, item.second_party_id)):
        return ItemStatus.CONFIRMED.value, None
    return ItemStatus.PENDING.value, None
