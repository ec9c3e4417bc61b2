"""Outcome figures (成效) of an alliance, per round and per month, from the records.

Per round (month: the rounds whose start date falls in it, summed; ratios recomputed from the sums):

* ``worker_days_employed``: worker-days kept employed by the alliance's moves = lent worker-days actually worked
  + the labour in the sub-contracted units accepted (``units x labor_minutes_per_unit / workday_minutes`` of the
  order, from the job's scenario snapshot), i.e. idle workers who had work because of the plan;
* ``value_subcontracted``: backlog value cleared through sub-contracts, accepted units x value_per_unit;
* ``value_cleared_planned`` and ``extra_over_hand``: the approved plan's value cleared and its objective's gain
  over matching by hand (the plan's report; the records cannot tell what a lent worker's day produced);
* ``partner_pairs``: distinct pairs of firms with a confirmed item;
* ``on_time_share``: units delivered on or before the due day / units delivered (sub-contracts);
* ``average_rating``: the mean of the three criteria over the round's ratings.

An alliance with alliances below it (the county chain alliance over its parks) rolls them up: its rounds and
every descendant's, each labelled with its alliance, the months summed over all of them, and one total per
alliance (``alliances``), so the county reports the parks' results beside its own.  The figures are totals of a
round, as the public notice (公示) publishes them, never one firm's prices or quantities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import queries
from api.county import queries as county_queries
from api.execution import queries as xq
from api.execution.records import figures
from api.models import Alliance, ItemKind, PlanningRound, Rating


@dataclass
class Outcome:
    period: str  # round name, YYYY-MM, or the alliance's name for its total
    round_id: int | None
    rounds: int
    worker_days_employed: float
    value_subcontracted: float
    value_cleared_planned: float
    extra_over_hand: float
    partner_pairs: int
    units_delivered: int
    units_on_time: int
    on_time_share: float | None
    ratings: int
    rating_sum: float
    average_rating: float | None
    alliance_id: int | None = None
    alliance: str = ""


def round_outcome(session: Session, rnd: PlanningRound) -> Outcome:
    worker_days = value = 0.0
    delivered = on_time = 0
    pairs: set[frozenset[int]] = set()
    for item in xq.confirmed_items(session, rnd.id):
        fig = figures(item, list(xq.records_of(session, item.id)))
        pairs.add(frozenset((item.first_party_id, item.second_party_id)))
        if item.kind == ItemKind.LOAN:
            worker_days += fig.actual
            continue
        snapshot = item.proposal.job.snapshot
        order = next(o for o in snapshot["orders"] if o["id"] == item.order_id)
        workday = float((snapshot.get("policy") or {}).get("workday_minutes", 480.0))
        worker_days += fig.actual * float(order["labor_minutes_per_unit"]) / workday
        value += fig.actual * float(item.terms["value_per_unit"])
        delivered += fig.delivered
        on_time += fig.delivered_on_time
    planned = extra = 0.0
    approved = queries.list_proposals(session, rnd.id, only_approved=True)
    if approved:
        report = (approved[0].job.plan or {}).get("report") or {}
        planned = float(((report.get("figures") or {}).get("after") or {}).get("value_cleared") or 0.0)
        extra = float((report.get("manual_baseline") or {}).get("objective_improvement") or 0.0)
    scores = [(r.on_time + r.quality + r.cooperation) / 3
              for r in session.scalars(select(Rating).where(Rating.round_id == rnd.id))]
    return Outcome(rnd.name, rnd.id, 1, round(worker_days, 3), round(value, 2), round(planned, 2), round(extra, 2),
                   len(pairs), delivered, on_time, on_time / delivered if delivered else None, len(scores),
                   sum(scores), round(sum(scores) / len(scores), 3) if scores else None,
                   rnd.alliance_id, rnd.alliance.name)


def _sum(period: str, rows: list[Outcome]) -> Outcome:
    delivered = sum(r.units_delivered for r in rows)
    on_time = sum(r.units_on_time for r in rows)
    ratings = sum(r.ratings for r in rows)
    rating_sum = sum(r.rating_sum for r in rows)
    return Outcome(period, None, len(rows), round(sum(r.worker_days_employed for r in rows), 3),
                   round(sum(r.value_subcontracted for r in rows), 2),
                   round(sum(r.value_cleared_planned for r in rows), 2), round(sum(r.extra_over_hand for r in rows), 2),
                   sum(r.partner_pairs for r in rows), delivered, on_time, on_time / delivered if delivered else None,
                   ratings, rating_sum, round(rating_sum / ratings, 3) if ratings else None)


def outcomes(session: Session, alliance: Alliance) -> dict[str, list[dict[str, Any]]]:
    tree = [alliance, *(a for a in (session.get(Alliance, i) for i in sorted(county_queries.descendant_ids(
        session, alliance.id))) if a is not None)]
    rounds = sorted((r for a in tree for r in queries.list_rounds(session, a.id)),
                    key=lambda r: (r.start_date, r.id))
    per_round = [(rnd, round_outcome(session, rnd)) for rnd in rounds]
    by_month: dict[str, list[Outcome]] = defaultdict(list)
    by_alliance: dict[int, list[Outcome]] = defaultdict(list)
    for rnd, out in per_round:
        by_month[rnd.start_date.strftime("%Y-%m")].append(out)
        by_alliance[rnd.alliance_id].append(out)
    totals = []
    for a in tree:
        total = _sum(a.name, by_alliance.get(a.id, []))
        total.alliance_id, total.alliance = a.id, a.name
        totals.append(asdict(total))
    return {"rounds": [asdict(o) for _, o in per_round],
            "months": [asdict(_sum(m, rows)) for m, rows in sorted(by_month.items())],
            "alliances": totals}
