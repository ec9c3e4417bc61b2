"""The generated client drives the county tier (docs/county.md): the admin builds a county above two parks, a park
plans and escalates what its approved plan left, the county plans from the escalations, its guide approves, firms
of two parks confirm, each park coordinator reads the county items of its park; a firm withdraws an offer before
the county round closes; and whoever may not see a thing gets a typed ``Problem``.

The scenario is the one of ``tests/api/county/conftest.py``: in park A, firm A has 60 units of 60 minutes due on
day 2 and one idle worker, B lends its one worker, so 12 units are left; in park B, C and D have one consenting
idle worker each (C will not work with D); K is a direct member of the county.  The county round starts one day
after the parks' rounds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import attrs
import pytest

from alliance.scenario import Order
from api.models import EntryKind, RoundStatus
from tests.api.conftest import ADMIN, credit
from tests.api.county.conftest import COUNTY_ROUND, FIRMS, PARK_ROUND
from tests.api.generated.conftest import Typed, plain
from tests.factories import latlon_at

ROOT = ADMIN[0]
MISSING = 987654
PARKS = {"pa": ("park-a", "甲园区"), "pb": ("park-b", "乙园区")}


@dataclass
class County:
    typed: Typed
    alliances: dict[str, int] = field(default_factory=dict)
    firms: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)


def clerk(code: str) -> str:
    return f"g-clerk-{code.lower()}"


@pytest.fixture(scope="module")
def county(typed: Typed) -> Iterator[County]:
    typed.login(*ADMIN)
    world = County(typed)
    for key, (code, name) in {"county": ("county-gen", "生成客户端县级联盟"), **PARKS}.items():
        alliance = typed.call(ROOT, "alliances-create-alliance", expect=201, returns="AllianceOut",
                              body=typed.model("AllianceCreate", {"code": code, "name": name}))
        world.alliances[key] = alliance.id
    for i, (code, (where, north, processes, _, _, _)) in enumerate(FIRMS.items(), start=61):
        lat, lon = latlon_at(north)
        body = {"code": code, "credit_code": credit(i), "name": f"瓷厂 {code}", "lat": lat, "lon": lon,
                "processes": processes, "wage_per_day": 200.0, "quality_level": 1}
        world.firms[code] = typed.call(ROOT, "alliances-create-enterprise", world.alliances[where], expect=201,
                                       returns="EnterpriseOut", body=typed.model("EnterpriseCreate", body)).id
    for prefix, key in (("g-c", "county"), ("g-pa-", "pa"), ("g-pb-", "pb")):
        typed.account(ROOT, f"{prefix}coord", "coordinator", alliance_id=world.alliances[key])
        guide = typed.account(ROOT, f"{prefix}guide", "guide")
        typed.call(ROOT, "admin-assign-guide", world.alliances[key], guide, expect=204)
    for code in FIRMS:
        typed.account(ROOT, clerk(code), "enterprise", enterprise_id=world.firms[code])
    yield world


def test_the_admin_builds_the_county_tree(county: County) -> None:
    typed, a = county.typed, county.alliances
    for park in PARKS:
        moved = typed.call(ROOT, "county-set-parent", a[park], returns="AllianceOut",
                           body=typed.model("ParentIn", {"parent_id": a["county"]}))
        assert moved.id == a[park] and moved.parent_id == a["county"]
    assert typed.call(ROOT, "alliances-get-alliance", a["pa"], returns="AllianceOut").parent_id == a["county"]
    # A cycle is refused, naming the field and the value; a coordinator does not build the tree.
    cycle = typed.refused(ROOT, "county-set-parent", a["county"], expect=422,
                          body=typed.model("ParentIn", {"parent_id": a["pa"]}))
    assert cycle.errors and cycle.errors[0].field == "body.parent_id" and cycle.errors[0].input_ == a["pa"]
    typed.refused("g-ccoord", "county-set-parent", a["pa"], expect=403,
                  body=typed.model("ParentIn", {"parent_id": None}))

    # Each coordinator opens its round; the firms report (C blocks D).
    for key, coord, body in (("pa", "g-pa-coord", PARK_ROUND), ("pb", "g-pb-coord", PARK_ROUND),
                             ("county", "g-ccoord", COUNTY_ROUND)):
        county.rounds[key] = typed.call(coord, "rounds-create-round", a[key], expect=201, returns="RoundOut",
                                        body=typed.model("RoundCreate", body)).id
    for code, (where, _, _, idle, lendable, orders) in FIRMS.items():
        report = {"idle_workers": {"forming": idle}, "lendable_workers": {"forming": lendable}, "orders": orders,
                  "blocked_partners": ["D"] if code == "C" else []}
        out = typed.call(clerk(code), "rounds-submit-report", county.rounds[where], county.firms[code], expect=201,
                         returns="ReportOut", body=typed.model("ReportIn", report))
        assert out.version == 1 and out.enterprise_code == code


def test_a_park_escalates_what_its_approved_plan_left(county: County) -> None:
    typed, r = county.typed, county.rounds
    target = typed.model("EscalateIn", {"to_round_id": r["county"]})
    # Nothing approved yet: nothing to escalate.
    typed.refused("g-pa-coord", "county-escalate", r["pa"], expect=409, body=target)
    _, proposal = typed.approved_plan("g-pa-coord", "g-pa-guide", r["pa"])
    items = typed.call("g-pa-coord", "proposals-list-items", proposal.id, returns="list[ItemOut]")
    assert [i.key for i in items] == ["loan:forming:B:A"]
    assert isinstance(items[0].terms, typed.models.LoanTerms) and items[0].terms.worker_days == 3
    for code in ("A", "B"):
        answered = typed.call(clerk(code), "items-respond", items[0].id, returns="ItemOut",
                              body=typed.model("RespondIn", {"answer": "confirm"}))
    assert answered.status == "confirmed"
    targets = typed.call("g-pa-coord", "county-targets", r["pa"], returns="list[RoundRef]")
    assert [(t.id, t.alliance_id, t.status) for t in targets] == [(r["county"], county.alliances["county"], "open")]
    assert isinstance(targets[0].status, typed.models.RoundRefStatus)

    preview = typed.call("g-pa-coord", "county-leftovers", r["pa"], returns="PreviewOut")
    assert preview.proposal_id == proposal.id
    assert all(isinstance(e, typed.models.PreviewEntry) for e in preview.entries)
    # A made 24 itself and 24 with B's worker: 12 of 60 are unmet.
    assert [(e.enterprise.code, e.kind) for e in preview.entries] == [("A", "order")]
    order = preview.entries[0].payload  # typed by kind: an OrderPayload, its order an EscalatedOrder
    assert isinstance(order, typed.models.OrderPayload) and isinstance(order.order, typed.models.EscalatedOrder)
    assert order.order.quantity == 12 and order.quantity == 60 and order.planned == 48 and order.reason
    assert (order.order.id, order.park_order_id, order.order.due_day) == ("o1", "A-o1", 2)
    assert order.reason_zh and order.reason_en
    assert (str(order.release_date), str(order.due_date)) == ("2026-12-07", "2026-12-09")
    # The escalated order carries every field of the scenario's order but its owner (the entry's firm).
    assert {f.name for f in attrs.fields(typed.models.EscalatedOrder) if f.name != "additional_properties"} == \
        set(Order.model_fields) - {"owner"}

    esc = typed.call("g-pa-coord", "county-escalate", r["pa"], expect=201, returns="EscalationOut", body=target)
    assert esc.proposal_id == proposal.id and (esc.from_round.id, esc.to_round.id) == (r["pa"], r["county"])
    assert [(e.enterprise.code, e.kind, e.withdrawn_at) for e in esc.entries] == [("A", "order", None)]
    assert isinstance(esc.entries[0].payload, typed.models.OrderPayload)
    assert esc.entries[0].payload.order.quantity == 12
    assert esc.entries[0].payload.to_dict() == order.to_dict()
    typed.refused("g-pa-coord", "county-escalate", r["pa"], expect=409, body=target)

    # Park B has no orders: its plan is empty and all its idle capacity goes up.
    typed.approved_plan("g-pb-coord", "g-pb-guide", r["pb"])
    esc_b = typed.call("g-pb-coord", "county-escalate", r["pb"], expect=201, returns="EscalationOut", body=target)
    caps = {e.enterprise.code: e.payload for e in esc_b.entries}
    assert set(caps) == {"C", "D"} and {e.kind for e in esc_b.entries} == {"capacity"}
    assert all(isinstance(c, typed.models.CapacityPayload) for c in caps.values())
    assert plain(caps["C"].idle_workers) == plain(caps["C"].lendable_workers) == {"forming": [1, 1, 1]}
    assert (str(caps["C"].start_date), caps["C"].horizon_days) == ("2026-12-07", 3)
    # Whom C blocks stays its own: the capacity payload has no field for it.
    assert "blocked_enterprise_ids" not in caps["C"].to_dict()
    county.state["offers"] = {e.enterprise.code: e.id for e in esc.entries + esc_b.entries}


def test_each_firm_sees_only_its_own_offers(county: County) -> None:
    typed, offers = county.typed, county.state["offers"]
    for code, expected in (("A", [("A", "order")]), ("B", []), ("C", [("C", "capacity")]),
                           ("D", [("D", "capacity")]), ("K", [])):
        mine = typed.call(clerk(code), "county-my-offers", returns="list[OfferOut]")
        assert [(o.enterprise.code, o.kind) for o in mine] == expected, code
        assert all(o.id == offers[code] and o.withdrawable and o.to_round.id == county.rounds["county"]
                   for o in mine)


def test_a_firm_withdraws_its_offer_before_the_county_round_closes(county: County) -> None:
    typed, d_offer = county.typed, county.state["offers"]["D"]
    # Another firm cannot withdraw D's offer: it answers exactly as for an offer that does not exist.
    foreign = typed.refused(clerk("C"), "county-withdraw", d_offer, expect=404)
    missing = typed.refused(clerk("C"), "county-withdraw", MISSING, expect=404)
    assert foreign.detail.replace(str(d_offer), "#") == missing.detail.replace(str(MISSING), "#")
    withdrawn = typed.call(clerk("D"), "county-withdraw", d_offer, returns="OfferOut")
    assert withdrawn.id == d_offer and withdrawn.withdrawn_at is not None and not withdrawn.withdrawable
    typed.refused(clerk("D"), "county-withdraw", d_offer, expect=409)
    [esc] = typed.call("g-pb-coord", "county-escalations-from", county.rounds["pb"], returns="list[EscalationOut]")
    assert {e.enterprise.code: e.withdrawn_at is not None for e in esc.entries} == {"C": False, "D": True}


def test_the_county_plans_from_the_escalations(county: County) -> None:
    typed, r = county.typed, county.rounds
    received = typed.call("g-ccoord", "county-received", r["county"], returns="list[EscalationOut]")
    assert sorted((e.from_round.id, len(e.entries)) for e in received) == sorted([(r["pa"], 1), (r["pb"], 2)])
    job, proposal = typed.approved_plan("g-ccoord", "g-cguide", r["county"])
    snapshot = typed.call("g-ccoord", "jobs-job-snapshot", job.id, returns="Scenario")
    firms = {e.id: e for e in snapshot.enterprises}
    # D withdrew, so it is not in the county scenario.
    assert set(firms) == {"K", "park-a/A", "park-b/C"}
    # Day mapping by date: the county starts on 12-08, so the park's days 1 and 2 are county days 0 and 1.
    assert plain(firms["park-b/C"].idle_workers) == {"forming": [1, 1, 0]}
    [order] = snapshot.orders
    assert (order.id, order.owner, order.quantity, order.release_day, order.due_day) == \
        ("park-a/A-o1", "park-a/A", 12, 0, 1)
    plan = typed.call("g-ccoord", "jobs-job-plan", job.id, returns="PlanOut")
    assert {(ln.from_, ln.to) for ln in plan.loans} == {("park-b/C", "park-a/A")}
    assert sum(ln.workers for ln in plan.loans) == 2

    [item] = typed.call("g-ccoord", "proposals-list-items", proposal.id, returns="list[ItemOut]")
    # C's one worker helps A on the two county days that A's order can still use: 2 worker-days.
    assert item.key == "loan:forming:park-b/C:park-a/A" and item.status == "pending"
    assert (item.first_party.id, item.second_party.id) == (county.firms["C"], county.firms["A"])
    assert isinstance(item.terms, typed.models.LoanTerms) and item.terms.worker_days == 2
    assert str(item.start_date) == "2026-12-08"
    # The firms of both parks find the item among their own and confirm it.
    for code in ("A", "C"):
        mine = typed.call(clerk(code), "items-my-items", returns="list[ItemOut]")
        assert item.id in {i.id for i in mine}
        answered = typed.call(clerk(code), "items-respond", item.id, returns="ItemOut",
                              body=typed.model("RespondIn", {"answer": "confirm", "reason": "同意 / agreed"}))
    assert answered.status == "confirmed"
    county.state.update(job=job.id, proposal=proposal.id, item=item.id)


def test_each_park_coordinator_reads_the_county_items_of_its_park(county: County) -> None:
    typed, r = county.typed, county.rounds
    for coord, park in (("g-pa-coord", "pa"), ("g-pb-coord", "pb")):
        seen = typed.call(coord, "county-county-items", r[park], returns="list[CountyItemOut]")
        assert [(i.id, i.status, i.county_round.id) for i in seen] == [(county.state["item"], "confirmed",
                                                                        r["county"])], coord
        assert seen[0].county_round.alliance_id == county.alliances["county"]
    # Confirmed: the offers under it can no longer be withdrawn.
    for code in ("A", "C"):
        typed.refused(clerk(code), "county-withdraw", county.state["offers"][code], expect=409)


def test_the_finished_job_says_why_the_solve_stopped(county: County) -> None:
    job = county.typed.call("g-ccoord", "jobs-get-job", county.state["job"], returns="JobOut")
    assert job.status == "succeeded" and isinstance(job.progress, county.typed.models.JobProgress)
    assert hasattr(job.progress, "stop_reason"), f"untyped: {job.progress.additional_properties}"
    assert job.progress.stop_reason and "stop_reason" not in job.progress.additional_properties


def test_what_each_level_may_not_see_is_a_typed_problem(county: County) -> None:
    typed, r, s = county.typed, county.rounds, county.state
    # Another park's coordinator: park A's county items, escalations and leftovers do not exist for it.
    for operation in ("county-county-items", "county-escalations-from", "county-leftovers"):
        foreign = typed.refused("g-pb-coord", operation, r["pa"], expect=404)
        missing = typed.refused("g-pb-coord", operation, MISSING, expect=404)
        assert foreign.detail.replace(str(r["pa"]), "#") == missing.detail.replace(str(MISSING), "#"), operation
    # A clerk reads its own offers and items, not its park's county view.
    typed.refused(clerk("A"), "county-county-items", r["pa"], expect=403)
    typed.refused(clerk("A"), "county-received", r["county"], expect=403)
    # The county sees what was escalated, never a park's reports; a park never the county round.
    typed.refused("g-ccoord", "rounds-report-status", r["pa"], expect=404)
    typed.refused("g-pa-coord", "county-received", r["county"], expect=404)
    typed.refused("g-pa-coord", "jobs-job-snapshot", s["job"], expect=404)
    # The park's guide does not review the county's proposals; a firm not party to the item does not see it.
    typed.refused("g-pa-guide", "proposals-review-proposal", s["proposal"], expect=404,
                  body=typed.model("ReviewIn", {"decision": "approve"}))
    typed.refused(clerk("D"), "items-get-item", s["item"], expect=404)
    typed.refused(clerk("B"), "items-get-item", s["item"], expect=404)
    # Only the park that escalated may retract it (and not after a county item on it was confirmed).
    [esc] = typed.call("g-pa-coord", "county-escalations-from", r["pa"], returns="list[EscalationOut]")
    reason = typed.model("RetractIn", {"reason": "撤回 / retract"})
    typed.refused("g-pb-coord", "county-retract", esc.id, expect=404, body=reason)
    typed.refused(clerk("A"), "county-retract", esc.id, expect=403, body=reason)
    typed.refused("g-pa-coord", "county-retract", esc.id, expect=409, body=reason)


def test_the_published_kind_and_status_sets_are_those_the_service_writes(county: County) -> None:
    schemas = county.typed.components["schemas"]
    for model in ("EntryOut", "OfferOut", "PreviewEntry"):
        assert set(schemas[model]["properties"]["kind"]["enum"]) == {k.value for k in EntryKind}, model
    assert set(schemas["RoundRef"]["properties"]["status"]["enum"]) == {s.value for s in RoundStatus}
    # An entry's payload is one of the two models, by kind; neither is a free-form object.
    payload = schemas["EntryOut"]["properties"]["payload"]
    assert {r["$ref"].rsplit("/", 1)[1] for r in payload["anyOf"]} == {"OrderPayload", "CapacityPayload"}
    assert all(schemas[name].get("properties") for name in ("OrderPayload", "CapacityPayload", "EscalatedOrder"))
