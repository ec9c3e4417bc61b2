"""The published OpenAPI document: readable operation ids and tags, typed plans, errors as problem+json.

The JSON the service returns for a plan, a job and a scenario is validated against the schemas the document
publishes (JSON Schema 2020-12, as OpenAPI 3.1 uses), so the document cannot drift from the service.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.api.conftest import Backend, World, build_world, ok, start, wait_job

METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def served(sqlite_backend: Backend) -> Iterator[tuple[TestClient, World]]:
    client, api = start(sqlite_backend)
    try:
        yield client, build_world(api)
    finally:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def document(served: tuple[TestClient, World]) -> dict[str, Any]:
    return ok(served[0].get("/openapi.json"))


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_operation_ids_are_unique_ascii_kebab_case(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", operation_id), operation_id
    assert "jobs-create-job" in ids and "auth-login" in ids and "proposals-replan" in ids


def test_tags_are_ascii_with_the_chinese_name_as_description(document: dict[str, Any]) -> None:
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    for _, _, operation in operations(document):
        for tag in operation["tags"]:
            assert tag.isascii() and " " not in tag, tag
            assert tag in declared
    assert declared["jobs"] == "计划任务"


def test_schema_names_are_unique_without_module_prefixes(document: dict[str, Any]) -> None:
    # FastAPI names two models of one name after their modules (api__notices__schemas__AnswerIn): a generated
    # client then refuses the duplicate.  Every published model needs a name of its own.
    assert [name for name in document["components"]["schemas"] if "__" in name] == []


def test_every_error_response_is_problem_json(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "500" in responses, f"{method} {path}"
        for code, response in responses.items():
            if int(code) >= 400:
                assert set(response["content"]) == {"application/problem+json"}, f"{method} {path} {code}"
                assert response["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}
        if operation.get("parameters") or operation.get("requestBody"):
            assert "422" in responses, f"{method} {path}"
    login = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "422"} <= set(login)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def _validator(document: dict[str, Any], path: str, method: str, status: str = "200") -> Draft202012Validator:
    content = document["paths"][path][method]["responses"][status]["content"]
    schema = content["application/json"]["schema"]
    components = Resource.from_contents(_rebase({"components": document["components"]}),
                                        default_specification=DRAFT202012)
    registry: Registry = Registry().with_resource("urn:openapi", components)
    return Draft202012Validator(_rebase(schema), registry=registry)


def _rebase(node: Any) -> Any:
    """``#/components/...`` refers to the whole document; point it at the registered copy of the components."""
    if isinstance(node, dict):
        return {k: ("urn:openapi" + v if k == "$ref" and isinstance(v, str) and v.startswith("#/") else _rebase(v))
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def assert_valid(document: dict[str, Any], path: str, method: str, body: Any, status: str = "200") -> None:
    errors = sorted(_validator(document, path, method, status).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_plan_job_and_scenario_are_typed_and_what_the_service_returns_matches(
        served: tuple[TestClient, World], document: dict[str, Any]) -> None:
    _, world = served
    schemas = document["components"]["schemas"]
    assert {"PlanOut", "PlanReport", "ProductionRow", "LoanRow", "Scenario", "JobProgress", "JobOptions"} <= set(
        schemas)
    assert {"status", "objective", "bound", "gap", "production", "loans", "report"} <= set(
        schemas["PlanOut"]["properties"])
    plan_ref = document["paths"]["/api/v1/jobs/{job_id}/plan"]["get"]["responses"]["200"]["content"]
    assert plan_ref["application/json"]["schema"] == {"$ref": "#/components/schemas/PlanOut"}

    coord = world.api.as_("coord")
    job = ok(coord.post(f"/api/v1/rounds/{world.round}/jobs", json={"time_limit_s": 5}), 202)
    assert_valid(document, "/api/v1/rounds/{round_id}/jobs", "get", ok(coord.get(f"/api/v1/rounds/{world.round}/jobs")))
    job = wait_job(coord, job["id"])
    assert_valid(document, "/api/v1/jobs/{job_id}", "get", job)
    assert_valid(document, "/api/v1/jobs/{job_id}/plan", "get", ok(coord.get(f"/api/v1/jobs/{job['id']}/plan")))
    assert_valid(document, "/api/v1/jobs/{job_id}/snapshot", "get",
                 ok(coord.get(f"/api/v1/jobs/{job['id']}/snapshot")))
    assert_valid(document, "/api/v1/rounds/{round_id}/scenario", "get",
                 ok(coord.get(f"/api/v1/rounds/{world.round}/scenario")))
    proposal = ok(coord.post(f"/api/v1/jobs/{job['id']}/proposals"), 201)
    assert_valid(document, "/api/v1/jobs/{job_id}/proposals", "post", proposal, status="201")
    items = ok(coord.get(f"/api/v1/proposals/{proposal['id']}/items"))
    assert {i["kind"] for i in items} == {"subcontract", "loan"}
    assert_valid(document, "/api/v1/proposals/{proposal_id}/items", "get", items)
    # An item's rows and terms are typed by kind, not free-form (issue 16 item 1).
    item = schemas["ItemOut"]["properties"]
    assert {r["$ref"] for r in item["terms"]["anyOf"]} == {"#/components/schemas/SubcontractTerms",
                                                           "#/components/schemas/LoanTerms"}
    assert {r["items"]["$ref"] for r in item["rows"]["anyOf"]} == {"#/components/schemas/ProductionRow",
                                                                   "#/components/schemas/LoanRow"}
    assert schemas["LoanTerms"]["additionalProperties"] is False


def test_docs_pages_serve_their_assets_from_the_app(served: tuple[TestClient, World]) -> None:
    client, _ = served
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        assert "cdn" not in html.text.lower() and "https://" not in html.text
        assets = re.findall(r'(?:src|href)="(/[^"]+)"', html.text)
        assert assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        assert "<script>" not in html.text, "no inline script: the pages' Content-Security-Policy forbids it"
