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


def _follow(document: dict[str, Any], schema: dict[str, Any], pointer: str) -> dict[str, Any] | None:
    """The schema a JSON pointer into a response body lands on, or None when the pointer leaves the schema."""
    parts = [p for p in pointer.split("/") if p]
    for index, part in enumerate(parts):
        while "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        if "anyOf" in schema:  # every branch that holds the pointer must give an id
            rest = "/".join(parts[index:])
            branches = [_follow(document, b, rest) for b in schema["anyOf"] if b.get("type") != "null"]
            return branches[0] if branches and all(b == branches[0] for b in branches) else None
        if part.isdigit():
            if schema.get("type") != "array":
                return None
            schema = schema["items"]
        else:
            if part not in schema.get("properties", {}):
                return None
            schema = schema["properties"][part]
    return schema


def test_links_lead_from_what_creates_a_resource_to_what_reads_it(document: dict[str, Any]) -> None:
    by_id = {op["operationId"]: op for _, _, op in operations(document)}
    links = 0
    for _, _, operation in operations(document):
        for status, response in operation["responses"].items():
            body = response.get("content", {}).get("application/json", {}).get("schema", {})
            for name, link in response.get("links", {}).items():
                links += 1
                target = by_id[link["operationId"]]
                path_params = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
                assert set(link["parameters"]) == path_params, (operation["operationId"], name)
                for expression in link["parameters"].values():
                    assert expression.startswith("$response.body#"), expression
                    landed = _follow(document, body, expression.split("#", 1)[1])
                    assert landed is not None and landed.get("type") == "integer", \
                        f"{operation['operationId']} {status} -> {name}: {expression} is not an id in the body"
    # The stateful tests can reach jobs, proposals, items, records, notices and escalations.
    reached = {link["operationId"] for _, _, op in operations(document) for r in op["responses"].values()
               for link in r.get("links", {}).values()}
    assert {"jobs-job-plan", "proposals-list-items", "items-respond", "execution-answer-record",
            "notices-answer-objection", "county-retract"} <= reached
    assert links >= 100


def test_a_body_that_is_not_json_is_a_documented_400(served: tuple[TestClient, World],
                                                       document: dict[str, Any]) -> None:
    client, world = served
    token = world.api.tokens["coord"]
    r = client.post(f"/api/v1/alliances/{world.alliance}/rounds", content=b"\x93{not json",
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    for _, _, operation in operations(document):
        if operation.get("requestBody"):
            assert "400" in operation["responses"], operation["operationId"]


def test_a_wrong_method_names_every_method_of_the_path(served: tuple[TestClient, World]) -> None:
    client, world = served
    r = client.request("OPTIONS", "/api/v1/alliances", headers=world.api.headers("coord"))
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    r = client.delete(f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}", headers=world.api.headers("coord"))
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "PUT"}
