"""Mutual ratings (评议) of finished items and each firm's reliability figures.

When an item is finished (completed or short; not while disputed or in progress) each firm rates the other side
once: on time, quality, cooperation, 1-5 each, with a comment.  A firm reads the ratings it received (and the one
it gave); coordinators and guides read all of their alliance's.

Reliability is measured where a firm *provides*: as lender (worker-days delivered / planned) and as maker
(units delivered on time and accepted / planned).  Per finished item the share is capped at 1; a firm's
reliability is the Bayesian average of its item shares,

    reliability = (PRIOR_WEIGHT * prior + sum of shares) / (PRIOR_WEIGHT + number of items)

with ``prior`` the alliance's mean item share (1.0 while the alliance has no history) and PRIOR_WEIGHT = 3
items: a firm without history gets the alliance's mean, one bad item moves a newcomer a quarter of the way, a
long record speaks for itself.  The average rating (the mean of the three criteria) is shrunk the same way
towards the alliance's mean rating (3, the middle of the scale, without history).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.scenario import Scenario, load_scenario
from api import queries
from api.errors import Conflict, Forbidden
from api.execution import queries as xq
from api.execution.records import figures, state_of
from api.models import Alliance, ExecState, ItemKind, PlanningRound, ProposalItem, Rating, Role, User
from api.services import audit

PRIOR_WEIGHT = 3.0
NEUTRAL_SHARE = 1.0
NEUTRAL_RATING = 3.0


def _finished_state(session: Session, item: ProposalItem) -> ExecState:
    return state_of(xq.execution_of(session, item.id), item, list(xq.records_of(session, item.id)))


def rate(session: Session, user: User, item: ProposalItem, on_time: int, quality: int, cooperation: int,
         comment: str) -> Rating:
    if user.role != Role.ENTERPRISE or user.enterprise_id not in (item.first_party_id, item.second_party_id):
        raise Forbidden("只有条目双方企业互相评议 / only the two firms of an item rate each other")
    state = _finished_state(session, item)
    if state not in (ExecState.COMPLETED, ExecState.SHORT):
        raise Conflict(f"条目 {item.id} 尚未执行完毕（{state.value}），不能评议 / item {item.id} is not finished "
                       f"({state.value}); rate it once it is")
    assert user.enterprise_id is not None
    if session.scalar(select(Rating.id).where(Rating.item_id == item.id, Rating.rater_id == user.enterprise_id)):
        raise Conflict(f"本企业已评议条目 {item.id} / your firm already rated item {item.id}")
    ratee = item.second_party_id if user.enterprise_id == item.first_party_id else item.first_party_id
    rating = Rating(item_id=item.id, round_id=item.proposal.round_id, rater_id=user.enterprise_id, ratee_id=ratee,
                    on_time=on_time, quality=quality, cooperation=cooperation, comment=comment.strip(),
                    created_by=user.id)
    session.add(rating)
    session.flush()
    audit.record(session, user, "rating.create", "rating", rating.id, after=audit.state(rating),
                 alliance_id=item.proposal.round.alliance_id)
    return rating


def visible_ratings(session: Session, user: User, alliance: Alliance) -> Sequence[Rating]:
    """The alliance's ratings for coordinators, guides and the operator; a firm's received ones for a firm."""
    round_ids = [r.id for r in queries.list_rounds(session, alliance.id)]
    query = select(Rating).where(Rating.round_id.in_(round_ids)).order_by(Rating.id)
    if user.role == Role.ENTERPRISE:
        query = query.where(Rating.ratee_id == user.enterprise_id)
    return session.scalars(query).all()


def item_ratings(session: Session, user: User, item: ProposalItem) -> Sequence[Rating]:
    # A firm only ever reaches its own items (the caller's lookup): both ratings there concern it.
    return session.scalars(select(Rating).where(Rating.item_id == item.id).order_by(Rating.id)).all()


def score(r: Rating) -> float:
    return (r.on_time + r.quality + r.cooperation) / 3


@dataclass
class Reliability:
    enterprise_id: int
    enterprise: str
    planned_worker_days: int
    delivered_worker_days: int
    worker_day_share: float | None
    planned_units: int
    on_time_accepted_units: int
    unit_share: float | None
    items: int
    ratings: int
    average_rating: float | None
    rating_index: float
    reliability: float


def _bayes(prior: float, values: list[float]) -> float:
    return (PRIOR_WEIGHT * prior + sum(values)) / (PRIOR_WEIGHT + len(values))


def reliability(session: Session, alliance: Alliance) -> list[Reliability]:
    """Reliability figures of every member firm, from the finished items and ratings of all the alliance's rounds."""
    shares: dict[int, list[float]] = defaultdict(list)
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for rnd in queries.list_rounds(session, alliance.id):
        for item in xq.confirmed_items(session, rnd.id):
            records = list(xq.records_of(session, item.id))
            if state_of(xq.execution_of(session, item.id), item, records) not in (ExecState.COMPLETED,
                                                                                   ExecState.SHORT):
                continue
            fig = figures(item, records)
            if item.kind == ItemKind.LOAN:
                provider, done = item.first_party_id, fig.actual
                totals[provider][0] += fig.planned
                totals[provider][1] += fig.actual
            else:
                provider, done = item.second_party_id, fig.accepted_on_time
                totals[provider][2] += fig.planned
                totals[provider][3] += fig.accepted_on_time
            if fig.planned > 0:
                shares[provider].append(min(1.0, done / fig.planned))
    ratings: dict[int, list[float]] = defaultdict(list)
    round_ids = [r.id for r in queries.list_rounds(session, alliance.id)]
    for r in session.scalars(select(Rating).where(Rating.round_id.in_(round_ids))):
        ratings[r.ratee_id].append(score(r))
    every_share = [s for v in shares.values() for s in v]
    every_rating = [s for v in ratings.values() for s in v]
    share_prior = sum(every_share) / len(every_share) if every_share else NEUTRAL_SHARE
    rating_prior = sum(every_rating) / len(every_rating) if every_rating else NEUTRAL_RATING
    out = []
    for ent in queries.list_enterprises(session, alliance.id):
        t = totals[ent.id]
        got = ratings[ent.id]
        out.append(Reliability(
            ent.id, f"{ent.code} {ent.name}", t[0], t[1], t[1] / t[0] if t[0] else None, t[2], t[3],
            t[3] / t[2] if t[2] else None, len(shares[ent.id]), len(got),
            round(sum(got) / len(got), 3) if got else None, round(_bayes(rating_prior, got), 4),
            round(_bayes(share_prior, shares[ent.id]), 4)))
    return out


def with_reliability(session: Session, rnd: PlanningRound, scenario: Scenario,
                     data: dict[str, Any]) -> tuple[Scenario, dict[str, Any]]:
    """The round's scenario with each firm's ``reliability`` when the round's policy sets a floor or a discount;
    untouched otherwise, so a round without the rule plans exactly as before."""
    if not (scenario.policy.reliability_floor > 0 or scenario.policy.reliability_discount > 0):
        return scenario, data
    figures_by_code = {r.enterprise.split(" ", 1)[0]: r.reliability for r in reliability(session, rnd.alliance)}
    for entry in data["enterprises"]:
        if entry["id"] in figures_by_code:
            entry["reliability"] = figures_by_code[entry["id"]]
    return load_scenario(data), data
