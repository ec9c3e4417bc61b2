"""The guide's desk: submitted proposals awaiting a decision, and the decisions already taken.

Guides see the alliances assigned to them (an unassigned alliance's proposals
and the guide's earlier decisions there drop out, as everything else of it
does); the admin sees every alliance.  Other roles never review: 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import queries
from api.deps import MAX_ID, ReviewReader, SessionDep
from api.errors import PROBLEM_RESPONSES
from api.models import Alliance, PlanningRound, Proposal, Role
from api.proposal_schemas import AllianceBrief, QueueFigures, ReviewHistoryEntry, ReviewQueueEntry, RoundBrief
from api.services import lifecycle

router = APIRouter(prefix="/reviews", tags=["reviews 审核"], responses=PROBLEM_RESPONSES)


def queue_figures(proposal: Proposal) -> QueueFigures:
    """The figures a reviewer scans first, from the summary stored with the proposal when it was made."""
    summary = proposal.summary
    after = (summary.get("figures") or {}).get("after") or {}
    changes = None
    if proposal.changes:
        changes = {group: len(proposal.changes.get(group) or []) for group in ("added", "changed", "removed", "kept")}
    return QueueFigures(
        plan_status=summary.get("plan_status"), objective=summary.get("objective"), gap=summary.get("gap"),
        subcontracts=int(summary.get("subcontracts") or 0), loans=int(summary.get("loans") or 0),
        share_cleared=after.get("share_cleared"), unmet_value=after.get("unmet_value"), changes=changes,
    )


def _where(rnd: PlanningRound, alliance: Alliance) -> tuple[AllianceBrief, RoundBrief]:
    return AllianceBrief.model_validate(alliance), RoundBrief.model_validate(rnd)


@router.get("/queue", response_model=list[ReviewQueueEntry],
            summary="待审核方案（所分配联盟，最早提交在前）/ proposals awaiting a decision in your alliances, "
            "oldest submission first")
def review_queue(user: ReviewReader, session: SessionDep) -> list[ReviewQueueEntry]:
    out = []
    for proposal, rnd, alliance, decided in queries.review_queue(session, queries.visible_alliance_ids(session, user)):
        alliance_brief, round_brief = _where(rnd, alliance)
        out.append(ReviewQueueEntry(
            proposal_id=proposal.id, version=proposal.version, job_id=proposal.job_id,
            previous_id=proposal.previous_id, alliance=alliance_brief, round=round_brief,
            created_at=proposal.created_at, submitted_at=proposal.submitted_at, earlier_decisions=decided,
            figures=queue_figures(proposal),
            outdated_firms=[e.code for e in lifecycle.stale_firms(session, proposal)],
            since_rejected=lifecycle.since_rejected(session, proposal),
        ))
    return out


@router.get("/history", response_model=list[ReviewHistoryEntry],
            summary="审核记录（指导员本人，最新在前）/ decisions taken, newest first (a guide: its own)")
def review_history(
    user: ReviewReader, session: SessionDep,
    before_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="page: decisions older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ReviewHistoryEntry]:
    # A guide reads its own decisions; the operator reads everybody's.
    guide_id = user.id if user.role == Role.GUIDE else None
    rows = queries.review_history(session, queries.visible_alliance_ids(session, user), guide_id, limit, before_id)
    out = []
    for decision, proposal, rnd, alliance, guide in rows:
        alliance_brief, round_brief = _where(rnd, alliance)
        out.append(ReviewHistoryEntry(
            id=decision.id, decision=decision.decision, comment=decision.comment, at=decision.at,
            guide_id=guide.id, guide_name=guide.display_name or guide.username, proposal_id=proposal.id,
            version=proposal.version, proposal_status=proposal.status, alliance=alliance_brief, round=round_brief,
        ))
    return out
