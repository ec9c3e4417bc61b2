"""The generated client drives the core workflow: log in, build an alliance, report, plan, review, confirm,
re-plan and fetch the agreements, through typed models only.

What a county office's integration or a park's ERP does.  A change to the published schema that breaks a generated
client (an untyped plan, an error parsed to ``None``, a renamed operation) fails here.  The client is generated
once per session (``conftest.py`` of this folder), never committed.
"""

from __future__ import annotations

import time
from types import ModuleType
from typing import Any

from tests.api.conftest import ADMIN, FIRMS, ROUND_BODY, credit, firm_body, report_body
from tests.api.generated.conftest import Typed


def test_the_generated_client_drives_the_whole_workflow(client_package: ModuleType, base_url: str) -> None:
    typed = Typed(client_package, base_url)
    models = typed.models
    admin = ADMIN[0]
    typed.login(*ADMIN)

    # An error is a typed Problem with its per-field errors, login included.
    problem = typed.call(admin, "alliances-create-alliance", body=typed.model(
        "AllianceCreate", {"code": "bad code!", "name": "x"}), expect=422)
    assert isinstance(problem, models.Problem) and problem.errors and problem.errors[0].field == "body.code"
    bad_login = typed.operation("auth-login").sync_detailed(
        client=client_package.Client(base_url=base_url),
        body=typed.model("BodyAuthLogin", {"username": "nobody", "password": "wrong-password-1"}))
    assert int(bad_login.status_code) == 401 and isinstance(bad_login.parsed, models.Problem)

    alliance = typed.call(admin, "alliances-create-alliance", expect=201,
                          body=typed.model("AllianceCreate", {"code": "client-test", "name": "客户端联盟"}))
    firms = {}
    for index, code in enumerate(FIRMS, start=1):
        body = firm_body(code, index) | {"credit_code": credit(index)}
        firms[code] = typed.call(admin, "alliances-create-enterprise", alliance.id, expect=201,
                                 body=typed.model("EnterpriseCreate", body)).id

    def account(username: str, role: str, **links: Any) -> int:
        user = typed.call(admin, "admin-create-user", expect=201, body=typed.model(
            "UserCreate", {"username": username, "password": f"{username}-pass-1", "role": role, **links}))
        typed.login(username, f"{username}-pass-1")
        return int(user.id)

    account("c-coord", "coordinator", alliance_id=alliance.id)
    guide = account("c-guide", "guide")
    typed.call(admin, "admin-assign-guide", alliance.id, guide, expect=204)
    for code in FIRMS:
        account(f"c-clerk-{code.lower()}", "enterprise", enterprise_id=firms[code])

    rnd = typed.call("c-coord", "rounds-create-round", alliance.id, expect=201,
                     body=typed.model("RoundCreate", ROUND_BODY))
    for code in FIRMS:
        report = typed.call(f"c-clerk-{code.lower()}", "rounds-submit-report", rnd.id, firms[code], expect=201,
                            body=typed.model("ReportIn", report_body(code)))
        assert report.version == 1

    scenario = typed.call("c-coord", "rounds-scenario-preview", rnd.id)
    assert isinstance(scenario, models.Scenario) and len(scenario.enterprises) == len(FIRMS)

    def planned(job: Any) -> Any:
        deadline = time.monotonic() + 60
        while job.status not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, f"job {job.id} still {job.status}"
            time.sleep(0.1)
            job = typed.call("c-coord", "jobs-get-job", job.id)
        assert job.status == "succeeded", job.error
        return job

    job = planned(typed.call("c-coord", "jobs-create-job", rnd.id, expect=202,
                             body=typed.model("JobCreate", {"time_limit_s": 5})))
    assert isinstance(job.options, models.JobOptions) and job.options.time_limit_s == 5
    plan = typed.call("c-coord", "jobs-job-plan", job.id)
    assert isinstance(plan, models.PlanOut) and plan.status in (models.Status.OPTIMAL, models.Status.FEASIBLE)
    assert plan.production and isinstance(plan.production[0], models.ProductionRow)
    assert isinstance(plan.report, models.PlanReport)
    snapshot = typed.call("c-coord", "jobs-job-snapshot", job.id)
    assert isinstance(snapshot, models.Scenario) and snapshot.horizon_days == ROUND_BODY["horizon_days"]

    proposal = typed.call("c-coord", "proposals-create-proposal", job.id, expect=201)
    typed.call("c-coord", "proposals-submit-proposal", proposal.id)
    queue = typed.call("c-guide", "reviews-review-queue")
    assert proposal.id in [entry.proposal_id for entry in queue]
    approved = typed.call("c-guide", "proposals-review-proposal", proposal.id,
                          body=typed.model("ReviewIn", {"decision": "approve", "comment": "同意 / approved"}))
    assert approved.status == "approved"

    items = typed.call("c-coord", "proposals-list-items", proposal.id)
    assert items, "the plan proposes nothing"
    by_code = {code: f"c-clerk-{code.lower()}" for code in FIRMS}
    declined = items[0]
    for item in items:
        for party in (item.first_party, item.second_party):
            answer = "decline" if item.id == declined.id and party is item.second_party else "confirm"
            typed.call(by_code[party.code], "items-respond", item.id,
                       body=typed.model("RespondIn", {"answer": answer, "reason": "客户端测试 / client test"}))
    mine = typed.call(by_code[declined.first_party.code], "items-my-items")
    assert declined.id in [item.id for item in mine]

    replan = planned(typed.call("c-coord", "proposals-replan", proposal.id, expect=202,
                                body=typed.model("ReplanIn", {"time_limit_s": 5})))
    assert replan.replan_of == job.id
    second = typed.call("c-coord", "proposals-create-proposal", replan.id, expect=201)
    assert second.version == 2 and second.previous_id == proposal.id

    confirmed = next((item for item in items if item.id != declined.id), None)
    if confirmed is not None:
        owner = by_code[confirmed.first_party.code]
        agreement = typed.operation("documents-agreement").sync_detailed(confirmed.id, client=typed.clients[owner])
        assert int(agreement.status_code) == 200 and "协议" in agreement.content.decode("utf-8")
