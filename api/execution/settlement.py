"""Settlement from the actuals of a round, per item, per pair of firms and per firm.

* A loan: the borrower reimburses the lender the wage at cost, ``wage_per_day(lender) x worker-days worked``,
  and pays the commuting allowance ``commute_cost_per_km x distance x worker-days worked`` (passed on to the
  workers); never a mark-up, as shared employment (共享用工) requires.
* A sub-contract: the owner pays the maker the processing fee ``value_per_unit x units accepted`` (MODEL.md's
  settlement: the unit is settled at ``value_per_unit``) and the transport of every unit delivered, rejected
  ones included since they travelled too: ``transport_cost_per_unit_km x distance x units delivered``.

Rates come from the job's scenario snapshot the item was planned on (the lender's wage is already in the
item's terms).  Only records that count are used (see ``records.counts``).  Closing a round's settlement
needs every item finished and no record unanswered or disputed; it freezes the figures and locks the records.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from alliance.scenario import Policy
from api.errors import Conflict
from api.execution import queries as xq
from api.execution.records import figures, state_of
from api.models import (
    ExecState,
    ItemKind,
    PlanningRound,
    ProposalItem,
    RecordStatus,
    SettlementClose,
    User,
    utcnow,
)
from api.services import audit


def _money(x: float) -> float:
    return round(x + 0.0, 2)


@dataclass
class Line:
    item_id: int
    kind: str
    key: str
    payer_id: int
    payer: str
    payee_id: int
    payee: str
    state: str
    planned: int  # worker-days or units
    actual: int  # worker-days worked or units accepted
    delivered: int
    rate: float  # wage per day, or value per unit
    distance_km: float
    base: float  # wage reimbursed, or processing fee
    travel: float  # commuting allowance, or transport
    amount: float

    def parties(self) -> tuple[int, int]:
        return (min(self.payer_id, self.payee_id), max(self.payer_id, self.payee_id))


def _snapshot(item: ProposalItem) -> dict[str, Any]:
    return item.proposal.job.snapshot


def line_of(session: Session, item: ProposalItem) -> Line:
    records = list(xq.records_of(session, item.id))
    fig = figures(item, records)
    state = state_of(xq.execution_of(session, item.id), item, records).value
    snapshot = _snapshot(item)
    policy = Policy.model_validate(snapshot.get("policy") or {})
    distance = float(item.terms["distance_km"])
    if item.kind == ItemKind.LOAN:
        wage = float(item.terms["wage_per_day"])
        base = wage * fig.actual
        travel = policy.commute_cost_per_km * distance * fig.actual
        payer, payee, rate = item.second_party, item.first_party, wage
    else:
        order = next(o for o in snapshot["orders"] if o["id"] == item.order_id)
        per_km = order.get("transport_cost_per_unit_km")
        per_km = policy.transport_cost_per_unit_km if per_km is None else float(per_km)
        rate = float(item.terms["value_per_unit"])
        base = rate * fig.actual
        travel = per_km * distance * fig.delivered
        payer, payee = item.first_party, item.second_party
    return Line(item.id, item.kind, item.key, payer.id, f"{payer.code} {payer.name}", payee.id,
                f"{payee.code} {payee.name}", state, fig.planned, fig.actual, fig.delivered, rate, distance,
                _money(base), _money(travel), _money(base + travel))


@dataclass
class Pair:
    a_id: int
    a: str
    b_id: int
    b: str
    a_pays_b: float  # net: positive when a pays b
    lines: list[Line]


@dataclass
class FirmTotal:
    enterprise_id: int
    enterprise: str
    receivable: float
    payable: float
    net: float  # receivable - payable


@dataclass
class Settlement:
    round_id: int
    closed: bool
    closed_at: str | None
    lines: list[Line]
    pairs: list[Pair]
    firms: list[FirmTotal]


def compute(session: Session, rnd: PlanningRound, enterprise_id: int | None = None) -> Settlement:
    """The round's settlement; with ``enterprise_id`` only the lines, pairs and total of that firm."""
    items = xq.confirmed_items(session, rnd.id, enterprise_id)
    lines = [line_of(session, item) for item in items]
    names: dict[int, str] = {}
    by_pair: dict[tuple[int, int], list[Line]] = defaultdict(list)
    receivable: dict[int, float] = defaultdict(float)
    payable: dict[int, float] = defaultdict(float)
    for line in lines:
        names[line.payer_id], names[line.payee_id] = line.payer, line.payee
        by_pair[line.parties()].append(line)
        payable[line.payer_id] += line.amount
        receivable[line.payee_id] += line.amount
    pairs = []
    for (a, b), group in sorted(by_pair.items()):
        net = sum(ln.amount if ln.payer_id == a else -ln.amount for ln in group)
        pairs.append(Pair(a, names[a], b, names[b], _money(net), group))
    firms = [FirmTotal(e, names[e], _money(receivable[e]), _money(payable[e]), _money(receivable[e] - payable[e]))
             for e in sorted(names) if enterprise_id is None or e == enterprise_id]
    close = xq.settlement_close(session, rnd.id)
    return Settlement(rnd.id, close is not None, close.closed_at.isoformat() if close else None, lines, pairs, firms)


def as_dict(settlement: Settlement) -> dict[str, Any]:
    return asdict(settlement)


def close(session: Session, user: User, rnd: PlanningRound) -> SettlementClose:
    if xq.settlement_close(session, rnd.id) is not None:
        raise Conflict(f"轮次 {rnd.id} 已结算关账 / the settlement of round {rnd.id} is already closed")
    problems = []
    for item in xq.confirmed_items(session, rnd.id):
        records = list(xq.records_of(session, item.id))
        execution = xq.execution_of(session, item.id)
        state = state_of(execution, item, records)
        if state in (ExecState.IN_PROGRESS, ExecState.DISPUTED):
            problems.append(f"{item.key}（{state.value}）")
        elif any(r.status == RecordStatus.RECORDED for r in records):
            problems.append(f"{item.key}（待对方确认 / awaiting the other side）")
    if problems:
        raise Conflict("尚有条目未执行完毕、有争议或待确认，不能关账 / items not finished, disputed or awaiting an "
                       "answer: " + "、".join(problems))
    settlement = compute(session, rnd)
    totals = {"firms": [asdict(f) for f in settlement.firms],
              "pairs": [{"a_id": p.a_id, "b_id": p.b_id, "a_pays_b": p.a_pays_b} for p in settlement.pairs],
              "lines": [asdict(ln) for ln in settlement.lines]}
    entry = SettlementClose(round_id=rnd.id, closed_by=user.id, closed_at=utcnow(), totals=totals)
    session.add(entry)
    session.flush()
    audit.record(session, user, "settlement.close", "settlement", rnd.id,
                 after={"firms": totals["firms"], "pairs": totals["pairs"]}, alliance_id=rnd.alliance_id)
    return entry
