"""The county round's scenario: its direct members' reports plus every escalation it received.

Days: an escalated entry is stored in the park round's days; here each county
day ``d`` is the calendar date ``county.start_date + d``, and takes the park
value of the same date (``(date - park.start_date).days``).  A county day the
park round does not cover has no capacity from that park (nobody reported
it).  An order keeps its calendar window: release and due dates are mapped
the same way, a due date past the county horizon becomes its last day (done
earlier is in time), and an order whose due date falls before the county's
first day, or whose skill, machine or process the county scenario cannot
serve, stays out; :func:`county_data` says which and why.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from api import queries
from api.county import queries as cq
from api.models import Enterprise, EntryKind, EscalationEntry, PlanningRound
from api.services.scenarios import enterprise_entry, order_entries, order_id, round_frame


def _date(start: str, day: int) -> dt.date:
    return dt.date.fromisoformat(start) + dt.timedelta(days=day)


def map_days(values: list[Any], park_start: str, county: PlanningRound) -> list[Any]:
    """A park per-day list re-indexed by calendar date onto the county round's days (0 where not covered)."""
    offset = (county.start_date - dt.date.fromisoformat(park_start)).days
    return [values[offset + d] if 0 <= offset + d < len(values) else 0 for d in range(county.horizon_days)]


def _order_for_county(entry: EscalationEntry, county: PlanningRound) -> tuple[dict[str, Any] | None, str | None]:
    """The order in county days, or None with the reason it stays out."""
    p = entry.payload
    order = dict(p["order"])
    release = dt.date.fromisoformat(p["release_date"])
    due = dt.date.fromisoformat(p["due_date"])
    last = county.start_date + dt.timedelta(days=county.horizon_days - 1)
    if due < county.start_date:
        return None, (f"交期 {due} 早于县级轮次首日 {county.start_date} / due {due} is before the county round's "
                      f"first day {county.start_date}")
    if release > last:
        return None, (f"最早生产日 {release} 晚于县级轮次末日 {last} / release {release} is after the county "
                      f"round's last day {last}")
    if order["skill"] not in county.skills:
        return None, f"工种 {order['skill']} 不在县级轮次中 / skill {order['skill']} is not in the county round"
    if order.get("machine") and order["machine"] not in county.machines:
        return None, f"设备 {order['machine']} 不在县级轮次中 / machine {order['machine']} is not in the county round"
    order["release_day"] = max(0, (release - county.start_date).days)
    order["due_day"] = min(county.horizon_days - 1, (due - county.start_date).days)
    return order, None


def county_data(session: Session, rnd: PlanningRound) -> tuple[dict[str, Any], dict[int, str]]:
    """The scenario document of a county round, and the entries left out with the reason (by entry id)."""
    data = round_frame(rnd, rnd.alliance)
    reports = queries.latest_reports(session, rnd.id)
    direct = {r.enterprise.code for r in reports}
    left_out: dict[int, str] = {}
    capacity: dict[int, EscalationEntry] = {}
    orders: dict[int, list[tuple[EscalationEntry, dict[str, Any]]]] = defaultdict(list)
    firms: dict[int, Enterprise] = {}
    for esc in cq.escalations_into(session, rnd.id):
        for entry in esc.entries:
            if entry.withdrawn_at is not None:
                continue
            if entry.kind == EntryKind.CAPACITY:
                capacity[entry.enterprise_id] = entry
                firms[entry.enterprise_id] = entry.enterprise
                continue
            order, why = _order_for_county(entry, rnd)
            if order is None:
                left_out[entry.id] = why or ""
                continue
            orders[entry.enterprise_id].append((entry, order))
            firms[entry.enterprise_id] = entry.enterprise

    codes = direct | {cq.scenario_code(e, rnd) for e in firms.values()}
    runs = {p for r in reports for p in r.enterprise.processes} | {p for e in firms.values() for p in e.processes}
    for report in reports:
        data["enterprises"].append(enterprise_entry(report.enterprise, report.payload, direct))
        data["orders"].extend(order_entries(report.enterprise, report.payload))
    for ent in sorted(firms.values(), key=lambda e: cq.scenario_code(e, rnd)):
        code = cq.scenario_code(ent, rnd)
        cap = capacity.get(ent.id)
        payload: dict[str, Any] = {}
        if cap is not None:
            start = cap.payload["start_date"]
            for key in ("idle_workers", "lendable_workers", "spare_machine_hours"):
                known = rnd.machines if key == "spare_machine_hours" else rnd.skills
                payload[key] = {k: map_days(v, start, rnd) for k, v in cap.payload.get(key, {}).items() if k in known}
            # Blocks are kept by row id; in this round they are the blocked firms' scenario codes.
            blocked = [session.get(Enterprise, i) for i in cap.payload.get("blocked_enterprise_ids", [])]
            payload["blocked_partners"] = [cq.scenario_code(b, rnd) for b in blocked if b is not None]
        firm = enterprise_entry(ent, payload, codes)
        firm["id"] = code
        data["enterprises"].append(firm)
        for esc_entry, order in orders.get(ent.id, []):
            if order["process"] not in runs:
                left_out[esc_entry.id] = (f"县级范围内无企业具备工序 {order['process']} / no firm in the county "
                                          f"scenario runs process {order['process']}")
                continue
            order["id"] = order_id(code, order["id"])
            order["owner"] = code
            data["orders"].append({k: v for k, v in order.items() if v is not None})
    data["enterprises"].sort(key=lambda e: e["id"])
    return data, left_out
