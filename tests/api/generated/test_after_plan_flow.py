"""The generated client drives after-the-plan (docs/execution.md): on confirmed items the borrower records lending
days (one short) and the lender confirms; the owner records a sub-contract delivery with rejected units, the maker
disputes and the coordinator decides; the items are finished, the settlement is read against a hand computation
and closed; ratings both ways, reliability, the public notice (drafted, submitted, approved), an objection filed
and answered, and the outcome figures against the records; what a firm may not read is a typed ``Problem``.

The alliance is the one of ``tests/api/conftest.py`` (as ``tests/api/execution/test_records.py`` uses it): A has
60 forming units of 60 minutes due on day 2 and one idle worker, B lends one worker, C or D make the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from api.execution.ratings import PRIOR_WEIGHT
from api.models import ExecState, ItemKind, NoticeStatus, RecordStatus
from tests.api.conftest import ADMIN, FIRMS, ROUND_BODY, credit, firm_body, report_body
from tests.api.generated.conftest import Typed, plain

ROOT = ADMIN[0]
# Units the coordinator's decision accepts of the sub-contract: a poor delivery, so the maker's reliability falls.
KEPT = 3
WAGE, FEE_PER_UNIT = 200.0, 100.0  # firm_body's wage_per_day, the order's value_per_unit
POLICY = cast(dict[str, float], ROUND_BODY["policy"])
COMMUTE_PER_KM, TRANSPORT_PER_UNIT_KM = POLICY["commute_cost_per_km"], POLICY["transport_cost_per_unit_km"]


@dataclass
class World:
    typed: Typed
    alliance: int = 0
    other_alliance: int = 0
    round: int = 0
    firms: dict[str, int] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    def other(self) -> str:
        """The one of C and D that does not make the sub-contract: no part in any item."""
        return "D" if self.state["site"] == "C" else "C"


def clerk(code: str) -> str:
    return f"x-clerk-{code.lower()}"


@pytest.fixture(scope="module")
def world(typed: Typed) -> World:
    """The alliance, its accounts and reports, a plan approved and every item confirmed by both firms."""
    typed.login(*ADMIN)
    w = World(typed)
    w.alliance = typed.call(ROOT, "alliances-create-alliance", expect=201, returns="AllianceOut", body=typed.model(
        "AllianceCreate", {"code": "after-plan", "name": "执行结算联盟"})).id
    w.other_alliance = typed.call(ROOT, "alliances-create-alliance", expect=201, returns="AllianceOut",
                                  body=typed.model("AllianceCreate", {"code": "after-other", "name": "他联盟"})).id
    for index, code in enumerate(FIRMS, start=41):
        body = firm_body(code, index) | {"credit_code": credit(index)}
        w.firms[code] = typed.call(ROOT, "alliances-create-enterprise", w.alliance, expect=201,
                                   returns="EnterpriseOut", body=typed.model("EnterpriseCreate", body)).id
    typed.account(ROOT, "x-coord", "coordinator", alliance_id=w.alliance)
    typed.account(ROOT, "x-coord2", "coordinator", alliance_id=w.other_alliance)
    guide = typed.account(ROOT, "x-guide", "guide")
    typed.call(ROOT, "admin-assign-guide", w.alliance, guide, expect=204)
    for code in FIRMS:
        typed.account(ROOT, clerk(code), "enterprise", enterprise_id=w.firms[code])
    w.round = typed.call("x-coord", "rounds-create-round", w.alliance, expect=201, returns="RoundOut",
                         body=typed.model("RoundCreate", ROUND_BODY)).id
    for code in FIRMS:
        typed.call(clerk(code), "rounds-submit-report", w.round, w.firms[code], expect=201, returns="ReportOut",
                   body=typed.model("ReportIn", report_body(code)))

    _, proposal = typed.approved_plan("x-coord", "x-guide", w.round)
    codes = {v: k for k, v in w.firms.items()}
    items = typed.call("x-coord", "proposals-list-items", proposal.id, returns="list[ItemOut]")
    for item in items:
        for party in (item.first_party, item.second_party):
            typed.call(clerk(codes[party.id]), "items-respond", item.id, returns="ItemOut",
                       body=typed.model("RespondIn", {"answer": "confirm"}))
    confirmed = {i.key: typed.call("x-coord", "items-get-item", i.id, returns="ItemOut") for i in items}
    assert {i.status for i in confirmed.values()} == {"confirmed"}
    loan = next(i for k, i in confirmed.items() if k.startswith("loan:forming:B:A"))
    sub = next(i for k, i in confirmed.items() if k.startswith("subcontract:A-o1:"))
    assert isinstance(loan.terms, typed.models.LoanTerms) and isinstance(sub.terms, typed.models.SubcontractTerms)
    assert all(isinstance(row, typed.models.LoanRow) for row in loan.rows)
    w.state.update(loan=loan, sub=sub, site=sub.second_party.code)
    return w


def test_the_borrower_records_a_loan_short_by_a_day_and_the_lender_confirms(world: World) -> None:
    typed, loan = world.typed, world.state["loan"]
    rows = sorted(loan.rows, key=lambda r: r.day)
    assert sum(r.workers for r in rows) >= 2
    # The lender answers, it does not record.
    typed.refused(clerk("B"), "execution-add-record", loan.id, expect=403,
                  body=typed.model("RecordIn", {"day": rows[0].day, "workers": 1}))
    last = rows[-1]
    for row in rows:
        workers = row.workers - 1 if row is last else row.workers
        view = typed.call(clerk("A"), "execution-add-record", loan.id, returns="ExecutionOut", body=typed.model(
            "RecordIn", {"day": row.day, "workers": workers, "note": "门岗登记 / gate log"}))
    assert view.difference == -1 and view.planned == loan.terms.worker_days and view.my_side == "records"
    assert {d.day: (d.planned, d.actual) for d in view.days}[last.day] == (last.workers, last.workers - 1)
    assert {r.status for r in view.records} == {"recorded"}
    for record in view.records:
        answered = typed.call(clerk("B"), "execution-answer-record", record.id, returns="ExecutionOut",
                              body=typed.model("AnswerIn", {"answer": "confirm"}))
    assert {r.status for r in answered.records} == {"confirmed"} and answered.my_side == "answers"
    # A confirmed day is no longer changed.
    typed.refused(clerk("A"), "execution-add-record", loan.id, expect=409,
                  body=typed.model("RecordIn", {"day": rows[0].day, "workers": 0}))


def test_a_subcontract_delivery_with_rejects_is_disputed_and_decided(world: World) -> None:
    typed, sub = world.typed, world.state["sub"]
    units, due = sub.terms.units, sub.terms.due_day
    assert units > KEPT + 3
    maker = clerk(world.state["site"])
    view = typed.call(clerk("A"), "execution-add-record", sub.id, returns="ExecutionOut", body=typed.model(
        "RecordIn", {"day": due, "delivered": units, "accepted": units - 3, "note": "3 件釉面开裂"}))
    record = view.records[0]
    assert (view.delivered, view.actual, view.rejected) == (units, units - 3, 3)
    # A dispute needs a reason (a typed per-field error); then it carries the maker's own count.
    bad = typed.refused(maker, "execution-answer-record", record.id, expect=422,
                        body=typed.model("AnswerIn", {"answer": "dispute"}))
    assert bad.errors and bad.errors[0].field == "body.reason"
    disputed = typed.call(maker, "execution-answer-record", record.id, returns="ExecutionOut", body=typed.model(
        "AnswerIn", {"answer": "dispute", "reason": "只有 1 件开裂 / only one cracked", "delivered": units,
                     "accepted": units - 1}))
    assert disputed.state == "disputed" and disputed.records[0].status == "disputed"
    assert plain(disputed.records[0].claimed)["accepted"] == units - 1
    # Only the coordinator decides, in writing.
    decision = {"decision": "现场复检：多数不合格 / re-inspected: most rejected", "delivered": units,
                "accepted": KEPT}
    typed.refused(clerk("A"), "execution-resolve-record", record.id, expect=403,
                  body=typed.model("ResolveIn", decision))
    decided = typed.call("x-coord", "execution-resolve-record", record.id, returns="ExecutionOut",
                         body=typed.model("ResolveIn", decision))
    assert decided.records[0].status == "resolved" and decided.records[0].decision == decision["decision"]
    assert decided.actual == KEPT and decided.state == "in_progress" and decided.delivered_on_time == units


def test_the_items_are_finished(world: World) -> None:
    typed, s = world.typed, world.state
    # The settlement cannot close while an item is still open.
    typed.refused("x-coord", "execution-close-settlement", world.round, expect=409)
    for item in (s["loan"], s["sub"]):
        done = typed.call(clerk("A"), "execution-finish-item", item.id, returns="ExecutionOut")
        assert done.finished and done.state == "short", item.key
    s["loan_worker_days"] = s["loan"].terms.worker_days - 1


def test_the_settlement_matches_a_hand_computation_and_closes(world: World) -> None:
    typed, loan, sub = world.typed, world.state["loan"], world.state["sub"]
    wd = world.state["loan_worker_days"]
    commute = COMMUTE_PER_KM * loan.terms.distance_km * wd
    loan_amount = round(WAGE * wd + commute, 2)
    units = sub.terms.units
    fee = FEE_PER_UNIT * KEPT
    transport = TRANSPORT_PER_UNIT_KM * sub.terms.distance_km * units  # every unit delivered travelled
    sub_amount = round(fee + transport, 2)
    result = typed.call("x-coord", "execution-round-settlement", world.round, returns="SettlementOut")
    assert not result.closed and result.closed_at is None
    lines = {ln.key: ln for ln in result.lines}
    assert set(lines) == {loan.key, sub.key}
    assert lines[loan.key].base == pytest.approx(WAGE * wd)
    assert lines[loan.key].travel == pytest.approx(round(commute, 2))
    assert lines[loan.key].amount == pytest.approx(loan_amount)
    assert (lines[loan.key].payer_id, lines[loan.key].payee_id) == (world.firms["A"], world.firms["B"])
    assert lines[sub.key].base == pytest.approx(fee) and lines[sub.key].travel == pytest.approx(round(transport, 2))
    assert lines[sub.key].amount == pytest.approx(sub_amount)
    firms = {f.enterprise.split()[0]: f for f in result.firms}
    assert firms["A"].payable == pytest.approx(loan_amount + sub_amount) and firms["A"].receivable == 0
    assert firms["B"].net == pytest.approx(loan_amount)
    assert firms[world.state["site"]].net == pytest.approx(sub_amount)
    pair = next(p for p in result.pairs if {p.a[0], p.b[0]} == {"A", "B"})
    assert abs(pair.a_pays_b) == pytest.approx(loan_amount)
    world.state["amounts"] = (loan_amount, sub_amount)

    # A firm reads its own line only.
    mine = typed.call(clerk("B"), "execution-round-settlement", world.round, returns="SettlementOut")
    assert [ln.key for ln in mine.lines] == [loan.key] and [f.enterprise.split()[0] for f in mine.firms] == ["B"]

    typed.refused(clerk("A"), "execution-close-settlement", world.round, expect=403)
    closed = typed.call("x-coord", "execution-close-settlement", world.round, returns="SettlementOut")
    assert closed.closed and closed.closed_at
    assert [ln.amount for ln in closed.lines] == [ln.amount for ln in result.lines]
    typed.refused("x-coord", "execution-close-settlement", world.round, expect=409)
    locked = typed.refused(clerk("A"), "execution-add-record", sub.id, expect=409,
                           body=typed.model("RecordIn", {"day": 0, "delivered": 1, "accepted": 1}))
    assert "锁定" in locked.detail
    assert typed.call("x-coord", "execution-item-execution", loan.id, returns="ExecutionOut").locked


def test_the_close_time_is_a_datetime(world: World) -> None:
    settlement = world.typed.call("x-coord", "execution-round-settlement", world.round, returns="SettlementOut")
    assert settlement.closed and settlement.closed_at is not None
    assert isinstance(settlement.closed_at, dt.datetime), f"untyped: {settlement.closed_at!r}"


def test_a_firm_reading_another_firms_record_gets_a_problem(world: World) -> None:
    typed, loan, sub = world.typed, world.state["loan"], world.state["sub"]
    other = world.other()
    # Each firm sees its own items' records, a third firm nothing; a foreign id answers as a missing one.
    assert [e.key for e in typed.call(clerk("B"), "execution-my-execution", returns="list[ExecutionOut]")] == \
        [loan.key]
    foreign = typed.refused(clerk("B"), "execution-item-execution", sub.id, expect=404)
    missing = typed.refused(clerk("B"), "execution-item-execution", 987654, expect=404)
    assert foreign.detail.replace(str(sub.id), "#") == missing.detail.replace("987654", "#")
    typed.refused(clerk(other), "execution-item-execution", loan.id, expect=404)
    sub_record = typed.call("x-coord", "execution-item-execution", sub.id, returns="ExecutionOut").records[0]
    typed.refused(clerk("B"), "execution-answer-record", sub_record.id, expect=404,
                  body=typed.model("AnswerIn", {"answer": "confirm"}))
    assert typed.call(clerk(other), "execution-round-settlement", world.round, returns="SettlementOut").lines == []
    typed.refused("x-coord2", "execution-round-settlement", world.round, expect=404)


def test_ratings_both_ways(world: World) -> None:
    typed, loan, sub, site = world.typed, world.state["loan"], world.state["sub"], world.state["site"]
    poor = {"on_time": 2, "quality": 1, "cooperation": 3, "comment": "大部分不合格 / most units failed"}
    bad = typed.refused(clerk("A"), "execution-rate-item", sub.id, expect=422,
                        body=typed.model("RatingIn", {**poor, "quality": 6}))
    assert bad.errors and bad.errors[0].field == "body.quality"
    given = typed.call(clerk("A"), "execution-rate-item", sub.id, expect=201, returns="RatingOut",
                       body=typed.model("RatingIn", poor))
    assert (given.rater_id, given.ratee_id, given.quality) == (world.firms["A"], world.firms[site], 1)
    typed.refused(clerk("A"), "execution-rate-item", sub.id, expect=409, body=typed.model("RatingIn", poor))
    back = typed.call(clerk(site), "execution-rate-item", sub.id, expect=201, returns="RatingOut",
                      body=typed.model("RatingIn", {"on_time": 5, "quality": 5, "cooperation": 4}))
    assert (back.rater_id, back.ratee_id) == (world.firms[site], world.firms["A"])
    typed.call(clerk("A"), "execution-rate-item", loan.id, expect=201, returns="RatingOut",
               body=typed.model("RatingIn", {"on_time": 4, "quality": 4, "cooperation": 5}))
    # A third firm rates nothing it was not part of, and reads only the ratings it received.
    typed.refused(clerk("B"), "execution-rate-item", sub.id, expect=404, body=typed.model("RatingIn", poor))
    received = typed.call(clerk("B"), "execution-alliance-ratings", world.alliance, returns="list[RatingOut]")
    assert [(x.rater_id, x.ratee_id) for x in received] == [(world.firms["A"], world.firms["B"])]
    typed.refused(clerk("B"), "execution-item-ratings", sub.id, expect=404)
    on_sub = typed.call("x-coord", "execution-item-ratings", sub.id, returns="list[RatingOut]")
    assert sorted(x.rater_id for x in on_sub) == sorted([world.firms["A"], world.firms[site]])
    assert len(typed.call("x-coord", "execution-alliance-ratings", world.alliance, returns="list[RatingOut]")) == 3


def test_reliability_follows_the_records(world: World) -> None:
    typed, loan, sub, site = world.typed, world.state["loan"], world.state["sub"], world.state["site"]
    rows = {r.enterprise.split()[0]: r for r in typed.call("x-coord", "execution-alliance-reliability",
                                                             world.alliance, returns="list[ReliabilityOut]")}
    loan_share = world.state["loan_worker_days"] / loan.terms.worker_days
    sub_share = KEPT / sub.terms.units
    prior = (loan_share + sub_share) / 2  # the alliance's mean item share
    assert rows["B"].worker_day_share == pytest.approx(loan_share)
    assert rows["B"].delivered_worker_days == world.state["loan_worker_days"]
    assert rows[site].unit_share == pytest.approx(sub_share) and rows[site].on_time_accepted_units == KEPT
    assert rows["B"].reliability == pytest.approx((PRIOR_WEIGHT * prior + loan_share) / (PRIOR_WEIGHT + 1), abs=1e-4)
    assert rows[site].reliability == pytest.approx((PRIOR_WEIGHT * prior + sub_share) / (PRIOR_WEIGHT + 1), abs=1e-4)
    other = world.other()
    assert rows[other].items == 0 and rows[other].reliability == pytest.approx(prior, abs=1e-4)
    assert rows[site].average_rating == pytest.approx(2.0) and rows[site].ratings == 1
    mine = typed.call(clerk("B"), "execution-alliance-reliability", world.alliance, returns="list[ReliabilityOut]")
    assert [r.enterprise_id for r in mine] == [world.firms["B"]]


def test_the_notice_is_drafted_submitted_and_approved(world: World) -> None:
    typed, loan, site = world.typed, world.state["loan"], world.state["site"]
    typed.refused("x-coord", "notices-round-notice", world.round, expect=404)
    typed.refused(clerk("A"), "notices-draft-notice", world.round, expect=403,
                  body=typed.model("NoticeIn", {"text": "x"}))
    notice = typed.call("x-coord", "notices-draft-notice", world.round, returns="NoticeOut", body=typed.model(
        "NoticeIn", {"text": "本轮联盟互助结果公示如下。/ This round's results."}))
    assert notice.status == "draft" and notice.round_id == world.round and notice.notice_days == 5
    assert isinstance(notice.status, typed.models.NoticeOutStatus)
    figures = notice.figures  # typed: NoticeFigures, every key a declared attribute
    assert isinstance(figures, typed.models.NoticeFigures) and not figures.additional_properties
    assert (figures.orders_subcontracted, figures.worker_days_lent, figures.units_accepted) == \
        (1, world.state["loan_worker_days"], KEPT)
    assert (figures.subcontract_items, figures.loan_items) == (1, 1)
    assert isinstance(figures.backlog_value_cleared, float) and isinstance(figures.gain_over_hand, float)
    assert sorted(n.split()[0] for n in figures.firms) == sorted(["A", "B", site])
    assert figures.details == []
    # The parties consent: the loan's two firms agree, the sub-contract's maker does not.
    for code, agreed in (("A", True), ("B", True), (site, False)):
        consented = typed.call(clerk(code), "notices-give-consent", notice.id, returns="NoticeOut",
                               body=typed.model("ConsentIn", {"agreed": agreed}))
        assert consented.my_consent is agreed
    typed.refused(clerk(world.other()), "notices-give-consent", notice.id, expect=404,
                  body=typed.model("ConsentIn", {"agreed": True}))
    notice = typed.call("x-coord", "notices-round-notice", world.round, returns="NoticeOut")
    assert plain(notice.consents) == {str(world.firms["A"]): True, str(world.firms["B"]): True,
                                      str(world.firms[site]): False}
    [detail] = notice.figures.details
    assert isinstance(detail, typed.models.NoticeDetail) and not detail.additional_properties
    assert (detail.key, detail.kind, detail.planned, detail.actual) == \
        (loan.key, "loan", loan.terms.worker_days, world.state["loan_worker_days"])
    assert detail.price == pytest.approx(WAGE) and detail.first.split()[0] == "B" and detail.second.split()[0] == "A"

    submitted = typed.call("x-coord", "notices-submit-notice", notice.id, returns="NoticeOut")
    assert submitted.status == "submitted"
    bad = typed.refused("x-guide", "notices-review-notice", notice.id, expect=422,
                        body=typed.model("NoticeReviewIn", {"decision": "reject"}))
    assert bad.errors and bad.errors[0].field == "body.comment"
    published = typed.call("x-guide", "notices-review-notice", notice.id, returns="NoticeOut",
                           body=typed.model("NoticeReviewIn", {"decision": "approve", "comment": "同意 / approved"}))
    assert published.status == "published" and published.open_for_objections
    assert isinstance(published.published_at, dt.datetime) and isinstance(published.ends_at, dt.datetime)
    assert published.ends_at - published.published_at == dt.timedelta(days=5)
    world.state["notice"] = published


def test_an_objection_is_filed_and_answered(world: World) -> None:
    typed, nid = world.typed, world.state["notice"].id
    member = clerk(world.other())
    seen = typed.call(member, "notices-round-notice", world.round, returns="NoticeOut")
    assert plain(seen.consents) == {} and seen.figures.to_dict() == world.state["notice"].figures.to_dict()
    filed = typed.call(member, "notices-file-objection", nid, expect=201, returns="NoticeOut", body=typed.model(
        "ObjectionIn", {"text": "我厂也有闲置工人，为何未安排？/ we had idle workers too"}))
    [objection] = filed.objections
    assert objection.enterprise_id == world.firms[world.other()] and objection.answer is None
    typed.refused(member, "notices-answer-objection", objection.id, expect=403,
                  body=typed.model("ObjectionAnswerIn", {"answer": "x"}))
    reply = {"answer": "贵厂工种与订单不符 / skills did not match"}
    answered = typed.call("x-coord", "notices-answer-objection", objection.id, returns="NoticeOut",
                          body=typed.model("ObjectionAnswerIn", reply))
    assert answered.objections[0].answer.startswith("贵厂") and answered.objections[0].answered_at is not None
    typed.refused("x-coord", "notices-answer-objection", objection.id, expect=409,
                  body=typed.model("ObjectionAnswerIn", {"answer": "again"}))


def test_the_outcome_figures_match_the_records(world: World) -> None:
    typed, sub = world.typed, world.state["sub"]
    data = typed.call("x-coord", "execution-alliance-outcomes", world.alliance, returns="OutcomesOut")
    rows = [*data.rounds, *data.months, *data.alliances]
    assert rows and all(isinstance(r, typed.models.OutcomeRow) for r in rows)
    [first] = [r for r in data.rounds if r.round_id == world.round]
    assert (first.rounds, first.alliance_id, first.alliance) == (1, world.alliance, "执行结算联盟")
    # By hand: 60-minute units in 480-minute days; ratings (2+1+3)/3, (5+5+4)/3, (4+4+5)/3.
    assert first.worker_days_employed == pytest.approx(world.state["loan_worker_days"] + KEPT * 60 / 480)
    assert first.value_subcontracted == pytest.approx(KEPT * FEE_PER_UNIT)
    assert first.partner_pairs == 2
    assert (first.units_delivered, first.units_on_time) == (sub.terms.units, sub.terms.units)
    assert first.on_time_share == 1.0 and first.ratings == 3
    assert first.rating_sum == pytest.approx((6 + 14 + 13) / 3)
    assert first.average_rating == pytest.approx(round((6 + 14 + 13) / 9, 3))
    assert first.extra_over_hand == pytest.approx(world.state["notice"].figures.gain_over_hand)
    assert first.value_cleared_planned == pytest.approx(world.state["notice"].figures.backlog_value_cleared,
                                                         abs=0.005)
    [month] = [m for m in data.months if m.period == "2026-12"]
    assert month.rounds == 1 and month.worker_days_employed == pytest.approx(first.worker_days_employed)
    assert month.round_id is None and month.alliance_id is None and month.alliance == ""
    [total] = data.alliances
    assert (total.period, total.alliance_id, total.round_id, total.rounds) == ("执行结算联盟", world.alliance, None, 1)
    typed.refused(clerk("A"), "execution-alliance-outcomes", world.alliance, expect=403)
    typed.refused("x-coord2", "execution-alliance-outcomes", world.alliance, expect=404)


def test_the_published_status_and_kind_sets_are_those_the_service_writes(world: World) -> None:
    schemas = world.typed.components["schemas"]
    kinds, states = {k.value for k in ItemKind}, {s.value for s in ExecState}
    expected = {("NoticeOut", "status"): {s.value for s in NoticeStatus}, ("NoticeDetail", "kind"): kinds,
                ("RecordOut", "status"): {s.value for s in RecordStatus}, ("ExecutionOut", "kind"): kinds,
                ("ExecutionOut", "state"): states, ("LineOut", "kind"): kinds, ("LineOut", "state"): states}
    for (model, name), values in expected.items():
        assert set(schemas[model]["properties"][name]["enum"]) == values, (model, name)
    # The outcome figures are a model of their own, closed like the item terms.
    assert schemas["OutcomeRow"]["additionalProperties"] is False
