"""What earlier county rounds took of a round's offers, so that a later escalation of the same round does not
offer it twice.

A park round may escalate to one county round, see part of its leftovers used there (A's order partly made
in another park, C's worker lent), and later escalate what is still left to the next county round.  The park
plan alone would offer the same units and the same worker again.  So for each earlier escalation that was not
withdrawn, the county's approved plan, reduced to the items nobody declined (and the owners' own production,
which needs no agreement), is run through the same leftover arithmetic as the park plan
(:mod:`alliance.leftover`) over the county scenario, whose capacity for these firms is what was offered; what
it leaves is an upper bound on what may go up again, mapped back to the round's days by calendar date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from alliance.leftover import FirmLeftover, delivered_units, leftover_capacity
from alliance.plan import LoanRow, Plan, ProductionRow
from alliance.scenario import load_scenario
from api import queries
from api.county import queries as cq
from api.models import EntryKind, ItemKind, ItemStatus, PlanningRound
from api.services.scenarios import order_id


@dataclass
class Taken:
    """Caps on what the round may still offer: per (owner, order) units, per firm and skill/machine and day."""

    units: dict[tuple[str, str], int] = field(default_factory=dict)
    idle: dict[tuple[str, str, int], float] = field(default_factory=dict)
    lendable: dict[tuple[str, str, int], float] = field(default_factory=dict)
    hours: dict[tuple[str, str, int], float] = field(default_factory=dict)

    def cap_units(self, owner: str, order: str, left: int) -> int:
        return min(left, self.units.get((owner, order), left))

    def cap_capacity(self, firm: str, left: FirmLeftover) -> FirmLeftover:
        def capped(values: dict[str, list[int]], caps: dict[tuple[str, str, int], float]) -> dict[str, list[int]]:
            out = {k: [int(min(v, caps.get((firm, k, t), v))) for t, v in enumerate(row)] for k, row in values.items()}
            return {k: row for k, row in out.items() if any(row)}

        hours = {m: [round(min(v, self.hours.get((firm, m, t), v)), 6) for t, v in enumerate(row)]
                 for m, row in left.spare_machine_hours.items()}
        return FirmLeftover(capped(left.idle_workers, self.idle), capped(left.lendable_workers, self.lendable),
                            {m: row for m, row in hours.items() if any(h > 1e-9 for h in row)})


def taken_upward(session: Session, rnd: PlanningRound) -> Taken:
    taken = Taken()
    for esc in cq.escalations_from(session, rnd.id):
        live = [e for e in esc.entries if e.withdrawn_at is None]
        county = esc.to_round
        approved = queries.list_proposals(session, county.id, only_approved=True)
        if not live or not approved:
            continue
        proposal = approved[0]
        job = proposal.job
        scenario = load_scenario(job.snapshot)
        plan = Plan.model_validate(job.plan)
        owners = {o.id: o.owner for o in scenario.orders}
        kept = [i for i in proposal.items if i.status != ItemStatus.DECLINED]
        used = Plan(
            status=plan.status,
            production=[ProductionRow.model_validate(r) for i in kept if i.kind == ItemKind.SUBCONTRACT
                        for r in i.rows] + [r for r in plan.production if r.site == owners.get(r.order)],
            loans=[LoanRow.model_validate(r) for i in kept if i.kind == ItemKind.LOAN for r in i.rows],
        )
        done, left = delivered_units(used), leftover_capacity(scenario, used)
        shift = (rnd.start_date - county.start_date).days  # county day = round day + shift
        # The round's days that fall inside the county round's horizon.
        shared_days = range(max(0, -shift), min(rnd.horizon_days, scenario.horizon_days - shift))

        for entry in live:
            here, there = cq.scenario_code(entry.enterprise, rnd), cq.scenario_code(entry.enterprise, county)
            if entry.kind == EntryKind.ORDER:
                offered = entry.payload["order"]
                rest = max(0, int(offered["quantity"]) - done.get(order_id(there, offered["id"]), 0))
                key = (here, str(entry.payload["park_order_id"]))
                taken.units[key] = min(taken.units.get(key, rest), rest)
                continue
            firm = left.get(there, FirmLeftover())
            remaining: dict[str, list[int]] | dict[str, list[float]]
            for t in shared_days:
                u = t + shift
                for caps, offered_map, remaining in (
                        (taken.idle, entry.payload.get("idle_workers") or {}, firm.idle_workers),
                        (taken.lendable, entry.payload.get("lendable_workers") or {}, firm.lendable_workers),
                        (taken.hours, entry.payload.get("spare_machine_hours") or {}, firm.spare_machine_hours)):
                    for code in offered_map:
                        row = remaining.get(code)
                        value = row[u] if row is not None else 0
                        k = (here, code, t)
                        caps[k] = min(caps.get(k, value), value)
    return taken
