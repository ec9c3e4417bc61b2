"""A Python client generated from the live ``/openapi.json`` (openapi-python-client), for the modules of this folder.

What a county office's integration or a park's ERP does: generate a client, then drive the service through its
typed models only.  The client is generated once per test session into a temporary folder, never committed; each
module runs its own live server (uvicorn in a thread, a fresh SQLite file, see ``tests/web/world.py``).

``Typed.call`` checks every answer against the published schema as a client meets it: a documented status gives a
parsed model (never ``None`` or a bare dict), an error is a ``Problem``, an object with declared fields carries no
field that the schema does not declare (a client would drop it, or keep it untyped), and the JSON validates against
the operation's published response schema (the generated models take types and nulls on trust).  Free-form parts
of an answer are read through ``plain`` (the model's ``to_dict``).
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

import attrs
import jsonschema
import pytest

from api.server import create_app
from tests.api import conftest as api_conftest
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


@pytest.fixture(scope="session")
def client_package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client generated from the app's schema, imported as ``alliance_client`` (once for the session)."""
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
    """The whole service on a free localhost port with a fresh database, one per module."""
    with live_server(tmp_path_factory.mktemp("live") / "alliance.db") as url:
        yield url


@pytest.fixture(scope="module")
def typed(client_package: ModuleType, base_url: str) -> Typed:
    return Typed(client_package, base_url)


def undeclared(value: Any, open_models: frozenset[str] = frozenset(), where: str = "") -> list[str]:
    """Fields of the answer that its model does not declare, as ``Model.path.field``.  A model without declared
    fields (a free-form object in the schema) holds everything in ``additional_properties`` and is walked, not
    blamed; so is a model the schema declares open (``additionalProperties: true``, named in ``open_models``)."""
    found: list[str] = []
    if isinstance(value, list):
        for index, element in enumerate(value):
            found += undeclared(element, open_models, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, element in value.items():
            found += undeclared(element, open_models, f"{where}.{key}")
    elif attrs.has(type(value)):
        declared = [f.name for f in attrs.fields(type(value)) if f.name != "additional_properties"]
        extra = getattr(value, "additional_properties", {})
        if declared and type(value).__name__ not in open_models:
            found += [f"{type(value).__name__}{where}.{key}" for key in extra]
        else:
            found += undeclared(dict(extra), open_models, where)
        for name in declared:
            found += undeclared(getattr(value, name), open_models, f"{where}.{name}")
    return found


def dropped(raw: Any, out: Any, where: str = "") -> list[str]:
    """Keys of the JSON answer that the parsed model no longer holds (``to_dict`` of it lacks them): what a client
    silently loses, e.g. a field of a model that the schema closes (``additionalProperties: false``)."""
    found: list[str] = []
    if isinstance(raw, dict) and isinstance(out, dict):
        for key, value in raw.items():
            found += [f"{where}.{key}"] if key not in out else dropped(value, out[key], f"{where}.{key}")
    elif isinstance(raw, list) and isinstance(out, list):
        for index, (a, b) in enumerate(zip(raw, out, strict=False)):
            found += dropped(a, b, f"{where}[{index}]")
    return found


def response_json(response: Any) -> Any:
    return json.loads(response.content)


def plain(value: Any) -> Any:
    """A free-form part of an answer (a generated model with ``additional_properties`` only, or a list of them) as
    plain JSON data, through the model's own ``to_dict`` (so a later typed model reads the same way)."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    assert hasattr(value, "to_dict"), f"not a generated model: {value!r}"
    return value.to_dict()


class Typed:
    """The generated package, addressed by operation id: ``typed.call("jobs-create-job", ...)``."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package, self.base_url = package, base_url
        self.models = importlib.import_module(f"{PACKAGE}.models")
        self.clients: dict[str, Any] = {}
        self.ids: dict[str, int] = {}  # user ids by username, for the accounts made through ``account``
        # The schema the package was generated from (the session fixture writes it beside ``src/``).
        schema = json.loads((Path(str(package.__file__)).parents[2] / "openapi.json").read_text(encoding="utf-8"))
        self.open_models = frozenset(name for name, c in schema["components"]["schemas"].items()
                                     if c.get("additionalProperties") is True and c.get("properties"))
        self.components = schema["components"]
        self.responses = {op["operationId"]: op.get("responses", {}) for ops in schema["paths"].values()
                          for op in ops.values() if isinstance(op, dict) and "operationId" in op}

    def violations(self, operation_id: str, status: int, response: Any) -> list[str]:
        """Where the JSON answer breaks the schema published for that operation and status (a null where the
        model promises a number, an integer field holding 1.5, ...): what the generated models take on trust."""
        documented = self.responses[operation_id].get(str(status), {}).get("content", {})
        if "application/json" not in documented or not response.content:
            return []
        root = {**documented["application/json"]["schema"], "components": self.components}
        validator = jsonschema.Draft202012Validator(root)
        return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300]
                for e in validator.iter_errors(response_json(response))]

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

    def call(self, username: str, operation_id: str, *args: Any, expect: int = 200, returns: str | None = None,
             **kwargs: Any) -> Any:
        """Run the operation as ``username``; the status must be ``expect`` and the answer a parsed model (of
        ``returns`` when named: ``"ItemOut"`` or ``"list[ItemOut]"``), an error a ``Problem``."""
        response = self.operation(operation_id).sync_detailed(*args, client=self.clients[username], **kwargs)
        assert int(response.status_code) == expect, f"{operation_id}: {response.status_code} {response.content!r}"
        parsed = response.parsed
        if expect == 204:
            assert parsed is None and not response.content, f"{operation_id}: a 204 with a body"
            return parsed
        assert parsed is not None, f"{operation_id}: {expect} is not parsed by the generated client (undocumented?)"
        elements = parsed if isinstance(parsed, list) else [parsed]
        assert all(e is not None and not isinstance(e, dict) for e in elements), \
            f"{operation_id}: {expect} parsed to untyped data {parsed!r}"
        if expect >= 400:
            assert isinstance(parsed, self.models.Problem), f"{operation_id}: {expect} parsed to {parsed!r}"
        else:
            assert not any(isinstance(e, self.models.Problem) for e in elements), \
                f"{operation_id}: {expect} parsed as a Problem"
        if returns is not None:
            many = returns.startswith("list[")
            cls = getattr(self.models, returns.removeprefix("list[").removesuffix("]"))
            assert isinstance(parsed, list) == many, f"{operation_id}: expected {returns}, got {parsed!r}"
            assert all(isinstance(e, cls) for e in elements), f"{operation_id}: expected {returns}, got {parsed!r}"
        extra = undeclared(parsed, self.open_models)
        if hasattr(elements[0] if elements else None, "to_dict"):
            out = [e.to_dict() for e in parsed] if isinstance(parsed, list) else parsed.to_dict()
            extra += [f"{operation_id}{path} (dropped)" for path in dropped(response_json(response), out)]
        assert not extra, f"{operation_id}: {expect} carries fields its published schema does not declare: {extra}"
        broken = self.violations(operation_id, expect, response)
        assert not broken, f"{operation_id}: {expect} does not match its published schema: {broken}"
        return parsed

    def refused(self, username: str, operation_id: str, *args: Any, expect: int, **kwargs: Any) -> Any:
        """The operation must be refused with ``expect``; the typed ``Problem`` it answers with."""
        problem = self.call(username, operation_id, *args, expect=expect, returns="Problem", **kwargs)
        assert problem.status == expect and problem.detail, problem
        return problem

    # ----- steps the modules share

    def account(self, admin: str, username: str, role: str, **links: Any) -> int:
        """An account made by the admin, signed in; its id."""
        user = self.call(admin, "admin-create-user", expect=201, returns="UserOut", body=self.model(
            "UserCreate", {"username": username, "password": f"{username}-pass-1", "role": role, **links}))
        self.login(username, f"{username}-pass-1")
        self.ids[username] = int(user.id)
        return int(user.id)

    def planned(self, username: str, job: Any, timeout: float = 60.0) -> Any:
        """Wait for the job; it must succeed."""
        deadline = time.monotonic() + timeout
        while job.status not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, f"job {job.id} still {job.status}"
            time.sleep(0.1)
            job = self.call(username, "jobs-get-job", job.id, returns="JobOut")
        assert job.status == "succeeded", job.error
        return job

    def approved_plan(self, coord: str, guide: str, round_id: int, time_limit_s: float = 3) -> tuple[Any, Any]:
        """Plan the round, make the proposal, submit it, the guide approves: (the job, the approved proposal)."""
        job = self.planned(coord, self.call(coord, "jobs-create-job", round_id, expect=202, returns="JobOut",
                                            body=self.model("JobCreate", {"time_limit_s": time_limit_s})))
        proposal = self.call(coord, "proposals-create-proposal", job.id, expect=201, returns="ProposalOut")
        self.call(coord, "proposals-submit-proposal", proposal.id, returns="ProposalOut")
        approved = self.call(guide, "proposals-review-proposal", proposal.id, returns="ProposalOut",
                             body=self.model("ReviewIn", {"decision": "approve"}))
        assert approved.status == "approved"
        return job, approved
