"""What a re-plan changed against the version before it, item by item, as before → after.

The proposal's ``changes`` keep their key lists (added, removed, kept, changed) and gain:

* ``details``: one entry per item that is not kept, with ``before`` and ``after`` (parties, units or worker-days,
  the days with their dates and amounts); a removed sub-contract names the sub-contracts of the same order that
  the re-plan added (``replaced_by``), a removed loan the added loans of the same skill to the same borrower, so
  a page can say "E009 → E010";
* ``moved``: how many items of the previous version that nobody had confirmed were changed or removed;
* ``tradeoff``: what the minimal-disruption re-plan kept and what keeping it cost against the unrestricted
  re-plan solved in the same job (``plan.disruption``, solver/disruption.py), when the plan has it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from alliance.scenario import Scenario


class _Item(Protocol):
    key: str
    rows: list[Any]
    status: str


def _side(scenario: Scenario, key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    kind, *parts = key.split(":")
    start = scenario.start_date

    def date_of(day: int) -> str | None:
        return (start + timedelta(days=day)).isoformat() if start is not None else None

    if kind == "subcontract":
        order, site = parts
        per_day: dict[int, int] = {}
        for r in rows:
            per_day[int(r["day"])] = per_day.get(int(r["day"]), 0) + int(r["quantity"])
        return {"kind": "subcontract", "order": order, "first": scenario.order(order).owner, "second": site,
                "units": sum(per_day.values()),
                "days": [{"day": d, "date": date_of(d), "amount": n} for d, n in sorted(per_day.items())]}
    skill, lender, borrower = parts
    workers: dict[int, int] = {}
    for r in rows:
        workers[int(r["day"])] = workers.get(int(r["day"]), 0) + int(r["workers"])
    return {"kind": "loan", "skill": skill, "first": lender, "second": borrower,
            "worker_days": sum(workers.values()), "headcount": max(workers.values(), default=0),
            "days": [{"day": d, "date": date_of(d), "amount": n} for d, n in sorted(workers.items())]}


def _replaced_by(key: str, added: list[str]) -> list[str]:
    kind, *parts = key.split(":")
    out = []
    for other in added:
        okind, *oparts = other.split(":")
        if okind != kind:
            continue
        same_order = kind == "subcontract" and oparts[0] == parts[0]
        same_need = kind == "loan" and oparts[0] == parts[0] and oparts[2] == parts[2]
        if same_order or same_need:
            out.append(other)
    return out


def describe(scenario: Scenario, previous_id: int, previous: list[_Item], new: dict[str, list[dict[str, Any]]],
             disruption: dict[str, Any] | None) -> dict[str, Any]:
    """The change list of a new version (``new``: key → rows) against the previous version's items."""
    old = {i.key: i.rows for i in previous}
    added = sorted(new.keys() - old.keys())
    removed = sorted(old.keys() - new.keys())
    changed = sorted(k for k in new.keys() & old.keys() if new[k] != old[k])
    details: list[dict[str, Any]] = []
    for key in changed:
        details.append({"key": key, "change": "changed", "before": _side(scenario, key, old[key]),
                        "after": _side(scenario, key, new[key])})
    for key in removed:
        details.append({"key": key, "change": "removed", "before": _side(scenario, key, old[key]), "after": None,
                        "replaced_by": _replaced_by(key, added)})
    for key in added:
        details.append({"key": key, "change": "added", "before": None, "after": _side(scenario, key, new[key])})
    out: dict[str, Any] = {
        "previous_id": previous_id,
        "added": added,
        "removed": removed,
        "kept": sorted(k for k in new.keys() & old.keys() if new[k] == old[k]),
        "changed": changed,
        "details": details,
        # Declined items are removed by definition; what counts is how many answers-in-waiting the re-plan upset.
        "moved": sum(1 for k in changed + removed if k in _pending_keys(previous)),
    }
    if disruption:
        out["tradeoff"] = {
            "kept_unchanged": len(disruption.get("kept", [])),
            "preferred": disruption.get("preferred"),
            "change_penalty": disruption.get("change_penalty"),
            "value_given_up": disruption.get("value_given_up"),
            "value_given_up_at_most": disruption.get("value_given_up_at_most"),
            "unrestricted_objective": disruption.get("unrestricted_objective"),
            "unrestricted_moves": disruption.get("unrestricted_moves"),
        }
    return out


def _pending_keys(previous: list[_Item]) -> set[str]:
    return {i.key for i in previous if i.status == "pending"}
