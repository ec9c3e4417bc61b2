"""From the database to a MODEL.md scenario: a round's settings, the members' master data, their reports.

Enterprise ids in scenarios are the enterprise codes; order ids are the
owner's code and its own order number, ``<code>-<order>``.  A report is
validated by the domain itself (``alliance.scenario``): the firm's report is
placed in a scenario of the round with every member's master data, and the
domain's error paths are mapped back to paths in the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from alliance.scenario import Scenario, load_scenario
from api.errors import FieldError, make_field_error
from api.models import Alliance, CapacityReport, Enterprise, PlanningRound

ORDER_SEPARATOR = "-"


def order_id(enterprise_code: str, ref: str) -> str:
    return f"{enterprise_code}{ORDER_SEPARATOR}{ref}"


def order_ref(enterprise_code: str, scenario_order_id: str) -> str:
    prefix = enterprise_code + ORDER_SEPARATOR
    return scenario_order_id[len(prefix):] if scenario_order_id.startswith(prefix) else scenario_order_id


def round_frame(rnd: PlanningRound, alliance: Alliance) -> dict[str, Any]:
    return {
        "alliance": {"id": alliance.code, "name": alliance.name},
        "horizon_days": rnd.horizon_days,
        "start_date": rnd.start_date.isoformat(),
        "skills": list(rnd.skills),
        "machines": list(rnd.machines),
        "policy": dict(rnd.policy),
        "enterprises": [],
        "orders": [],
    }


def enterprise_entry(ent: Enterprise, payload: dict[str, Any] | None, members: set[str] | None) -> dict[str, Any]:
    """The firm as a scenario enterprise; ``members`` filters its blocks to firms in the scenario (None: keep all)."""
    payload = payload or {}
    entry: dict[str, Any] = {
        "id": ent.code,
        "name": ent.name,
        "lat": ent.lat,
        "lon": ent.lon,
        "quality_level": ent.quality_level,
        "processes": list(ent.processes),
        "idle_workers": payload.get("idle_workers") or {},
        "spare_machine_hours": payload.get("spare_machine_hours") or {},
        "wage_per_day": ent.wage_per_day,
        "accepts_subcontracts": ent.accepts_subcontracts,
        "borrows_workers": ent.borrows_workers,
        # A block against a firm outside this scenario (it did not report) has nothing to block.
        "blocked_partners": [p for p in payload.get("blocked_partners") or []
                             if members is None or p in members or p == ent.code],
    }
    if payload.get("lendable_workers") is not None:
        entry["lendable_workers"] = payload["lendable_workers"]
    return entry


def order_entries(ent: Enterprise, payload: dict[str, Any] | None) -> list[dict[str, Any]]:
    orders = []
    for raw in (payload or {}).get("orders") or []:
        order = {k: v for k, v in raw.items() if v is not None}
        order["id"] = order_id(ent.code, raw["id"])
        order["owner"] = ent.code
        orders.append(order)
    return orders


def _map_errors(
    exc: ValidationError, firm_of_index: Sequence[str], order_owner: Sequence[tuple[str, int]],
    placed: str | None,
) -> list[FieldError]:
    """Domain error paths -> report paths.

    ``placed`` is the firm whose report is being validated: its errors keep
    the report's own paths; otherwise paths start with ``reports.<code>``.
    """
    out = []
    for e in exc.errors():
        loc = list(e["loc"])
        if len(loc) >= 2 and loc[0] == "enterprises" and isinstance(loc[1], int) and loc[1] < len(firm_of_index):
            code = firm_of_index[loc[1]]
            rest = loc[2:]
            new: list[str | int] = list(rest) if code == placed else ["reports", code, *rest]
            if code != placed and rest and rest[0] not in ("idle_workers", "lendable_workers", "spare_machine_hours",
                                                           "blocked_partners"):
                new = ["enterprises", code, *rest]  # master data, not the report
        elif len(loc) >= 2 and loc[0] == "orders" and isinstance(loc[1], int) and loc[1] < len(order_owner):
            code, local = order_owner[loc[1]]
            new = ["orders", local, *loc[2:]] if code == placed else ["reports", code, "orders", local, *loc[2:]]
        else:
            new = ["round", *loc]
        out.append(make_field_error(new, str(e["msg"]), str(e["type"]), e.get("input")))
    return out


def build_scenario(
    rnd: PlanningRound, alliance: Alliance, members: Iterable[Enterprise], payloads: dict[int, dict[str, Any]],
    placed: Enterprise | None = None,
) -> tuple[Scenario | None, dict[str, Any], list[FieldError]]:
    """The scenario of ``members`` with their ``payloads`` (by enterprise id); errors mapped to report paths.

    With ``placed`` (validating that firm's report) its blocks are kept as given, so an unknown code is reported.
    """
    data = round_frame(rnd, alliance)
    members = sorted(members, key=lambda e: e.code)
    codes: set[str] | None = None if placed is not None else {e.code for e in members}
    owners: list[tuple[str, int]] = []
    for ent in members:
        payload = payloads.get(ent.id)
        data["enterprises"].append(enterprise_entry(ent, payload, codes))
        orders = order_entries(ent, payload)
        data["orders"].extend(orders)
        owners.extend((ent.code, j) for j in range(len(orders)))
    try:
        scenario = load_scenario(data)
    except ValidationError as exc:
        return None, data, _map_errors(exc, [e.code for e in members], owners, placed.code if placed else None)
    return scenario, data, []


def validate_report(
    rnd: PlanningRound, alliance: Alliance, members: Sequence[Enterprise], ent: Enterprise, payload: dict[str, Any]
) -> list[FieldError]:
    """The report checked by the domain rules, in a scenario of the whole alliance with only this report."""
    errors = []
    seen: set[str] = set()
    for j, order in enumerate(payload.get("orders") or []):
        if order["id"] in seen:
            errors.append(make_field_error(["orders", j, "id"], f"订单号重复 '{order['id']}' / duplicate order id",
                                           "duplicate", order["id"]))
        seen.add(order["id"])
    _, _, domain_errors = build_scenario(rnd, alliance, members, {ent.id: payload}, placed=ent)
    # The domain also reports a duplicate id; keep one message per path.
    known = {e.field for e in errors}
    return errors + [e for e in domain_errors if e.field not in known]


def round_scenario(
    rnd: PlanningRound, alliance: Alliance, reports: Sequence[CapacityReport]
) -> tuple[Scenario | None, dict[str, Any], list[FieldError]]:
    """The scenario a planning job solves: every firm that reported, with its latest report."""
    return build_scenario(rnd, alliance, [r.enterprise for r in reports], {r.enterprise_id: r.payload for r in reports})
