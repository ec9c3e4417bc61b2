"""A Python client generated from the live ``/openapi.json`` (openapi-python-client) drives the whole workflow.

What a county office's integration or a park's ERP does: generate a client, then log in, build an alliance,
report, plan, review, confirm, re-plan and fetch the agreements, through typed models only.  A change to the
published schema that breaks a generated client (an untyped plan, an error parsed to ``None``, a renamed
operation) fails here.  The client is generated into a temporary folder on every run, never committed.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from api.server import create_app
from tests.api import conftest as api_conftest
from tests.api.conftest import ADMIN, FIRMS, ROUND_BODY, credit, firm_body, report_body
from tests.web.world import live_server

PACKAGE = "alliance_client"
# The Excel downloads are files to a client: read them as bytes (the generator knows octet-stream, not xlsx).
CONFIG = f"""project_name_override: dehua-alliance-client
package_name_override: {PACKAGE}
post_hooks: []
content_type_overrides:
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""


def _generator() -> list[str]:
    exe = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or shutil.which(
        "openapi-python-client")
    if exe is None:
        pytest.fail("openapi-python-client is not installed: it is part of the [dev] extra")
    return [exe]


@pytest.fixture(scope="module")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    work = tmp_path_factory.mktemp("client")
    app = create_app(api_conftest.test_settings(f"sqlite:///{work / 'schema.db'}"))
    (work / "openapi.json").write_text(json.dumps(app.openapi(), ensure_ascii=False), encoding="utf-8")
    (work / "config.yaml").write_text(CONFIG, encoding="utf-8")
    out = work / "src" / PACKAGE
    result = subprocess.run(
        [*_generator(), "generate", "--path", str(work / "openapi.json"), "--output-path", str(out), "--meta",
         "none", "--config", str(work / "config.yaml"), "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"generation failed:\n{result.stdout}\n{result.stderr}"
    sys.path.insert(0, str(work / "src"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(work / "src"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("live") / "alliance.db") as url:
        yield url


class Typed:
    """The generated package, addressed by operation id: ``typed.call("jobs-create-job", ...)``."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package, self.base_url = package, base_url
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.clients: dict[str, Any] = {}

    def model(self, name: str, data: dict[str, Any]) -> Any:
        return getattr(self.models, name).from_dict(data)

    def operation(self, operation_id: str) -> ModuleType:
        tag = operation_id.split("-", 1)[0]
        return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id.replace('-', '_')}")

    def login(self, username: str, password: str) -> Any:
        anonymous = self.package.Client(base_url=self.base_url)
        body = self.model("BodyAuthLogin", {"username": username, "password": password})
        token = self.operation("auth-login").sync(client=anonymous, body=body)
        assert isinstance(token, self.models.Token), token
        self.clients[username] = self.package.AuthenticatedClient(base_url=self.base_url, token=token.access_token)
        return self.clients[username]

    def call(self, username: str, operation_id: str, *args: Any, expect: int = 200, **kwargs: Any) -> Any:
        response = self.operation(operation_id).sync_detailed(*args, client=self.clients[username], **kwargs)
        assert int(response.status_code) == expect, f"{operation_id}: {response.status_code} {response.content!r}"
        return response.parsed


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
