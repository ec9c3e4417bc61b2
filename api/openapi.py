"""The published OpenAPI document, shaped for generated clients.

FastAPI's defaults suit its own docs page, not a client generator:

* operation ids such as ``create_job_api_v1_rounds_round_id_jobs_post`` become method names; ours are
  ``<tag>-<function>`` (``jobs-create-job``), stable as long as the function keeps its name;
* the routes are tagged bilingually (``"jobs 计划任务"``, so the grouping reads in Chinese on ``/docs``),
  and generators turn tags into module names; the published tag is the ASCII word, the Chinese name goes
  into the tag's description;
* every error is RFC 9457 ``application/problem+json`` with the :class:`api.errors.Problem` schema (the
  handlers in :mod:`api.errors` guarantee it), so each declared error response says exactly that, FastAPI's
  ``HTTPValidationError`` included, and the statuses any operation can answer with are declared on it.

The document is built once per application and cached, as FastAPI does.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute

from api.errors import PROBLEM_CONTENT_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

# What each status means, for the statuses added to operations that did not declare them.
STATUS_TEXT = {
    "400": "请求无效 / bad request",
    "401": "未登录或登录已过期 / not authenticated",
    "403": "角色无权 / role not allowed",
    "404": "不存在或不可见 / not found or not visible",
    "409": "状态冲突 / conflict",
    "413": "请求体过大 / payload too large",
    "415": "不支持的内容类型 / unsupported media type",
    "422": "数据无效 / invalid data",
    "429": "请求过于频繁 / too many requests",
    "500": "服务器内部错误 / internal server error",
    "503": "数据库或服务暂不可用 / database or service unavailable",
}

# Any operation may meet these: the handlers turn a lost database and any unexpected error into them.
ALWAYS = ("500", "503")
# Throttled (429 with Retry-After): sign-in attempts, and planning jobs per round and per user.
THROTTLED = {"auth-login", "jobs-create-job", "proposals-replan", "proposals-refresh"}

_ALLIANCE_READS = ("alliances-get-alliance", "alliances-get-alliance-policy", "alliances-list-enterprises",
                   "alliances-list-guides", "rounds-list-rounds", "rounds-create-round", "execution-alliance-ratings",
                   "execution-alliance-reliability", "execution-alliance-outcomes", "notifications-get-outbox")
_ROUND_READS = ("rounds-get-round", "rounds-report-status", "rounds-scenario-preview", "jobs-list-jobs",
                "jobs-create-job", "proposals-list-proposals", "execution-round-execution",
                "execution-round-settlement", "notices-round-notice", "county-targets", "county-leftovers",
                "county-escalations-from", "county-county-items", "county-received")
_JOB_READS = ("jobs-get-job", "jobs-job-plan", "jobs-job-snapshot", "jobs-cancel-job", "proposals-create-proposal",
              "documents-export")
_PROPOSAL_READS = ("proposals-get-proposal", "proposals-list-items", "proposals-submit-proposal",
                   "proposals-review-proposal", "proposals-replan", "proposals-refresh")
_ITEM_READS = ("items-get-item", "items-respond", "documents-agreement", "execution-item-execution",
               "execution-add-record", "execution-finish-item", "execution-item-ratings", "execution-rate-item")
_NOTICE_READS = ("notices-give-consent", "notices-submit-notice", "notices-review-notice", "notices-file-objection",
                 "notices-print-notice")

# OpenAPI links: from the operations that create (or list) rounds, jobs, proposals, items, notices and the rest
# to those that read and act on them, with where the id comes from.  A client generator documents them, and
# schemathesis's stateful phase follows them (create a round, then plan it, then read the plan ...).
# (producer operation id, status) -> [(consumer operation ids, {parameter: runtime expression})]
LINKS: dict[tuple[str, str], list[tuple[tuple[str, ...], dict[str, str]]]] = {
    ("alliances-create-alliance", "201"): [(_ALLIANCE_READS, {"alliance_id": "$response.body#/id"})],
    ("alliances-list-alliances", "200"): [(_ALLIANCE_READS, {"alliance_id": "$response.body#/0/id"})],
    ("alliances-create-enterprise", "201"): [(("alliances-get-enterprise", "alliances-update-enterprise"),
                                              {"enterprise_id": "$response.body#/id"})],
    ("admin-create-user", "201"): [(("admin-update-user",), {"user_id": "$response.body#/id"})],
    ("rounds-create-round", "201"): [(_ROUND_READS, {"round_id": "$response.body#/id"})],
    ("rounds-list-rounds", "200"): [(_ROUND_READS, {"round_id": "$response.body#/0/id"})],
    ("rounds-submit-report", "201"): [
        (("rounds-latest-report", "rounds-report-versions", "rounds-report-template"),
         {"round_id": "$response.body#/round_id", "enterprise_id": "$response.body#/enterprise_id"}),
        (("rounds-report-version",), {"round_id": "$response.body#/round_id",
                                      "enterprise_id": "$response.body#/enterprise_id",
                                      "version": "$response.body#/version"}),
    ],
    ("jobs-create-job", "202"): [(_JOB_READS, {"job_id": "$response.body#/id"})],
    ("jobs-list-jobs", "200"): [(_JOB_READS, {"job_id": "$response.body#/0/id"})],
    ("proposals-replan", "202"): [(_JOB_READS, {"job_id": "$response.body#/id"})],
    ("proposals-create-proposal", "201"): [(_PROPOSAL_READS, {"proposal_id": "$response.body#/id"})],
    ("proposals-list-proposals", "200"): [(_PROPOSAL_READS, {"proposal_id": "$response.body#/0/id"})],
    ("proposals-list-items", "200"): [(_ITEM_READS, {"item_id": "$response.body#/0/id"})],
    ("items-my-items", "200"): [(_ITEM_READS, {"item_id": "$response.body#/0/id"})],
    ("execution-add-record", "200"): [(("execution-answer-record", "execution-resolve-record"),
                                       {"record_id": "$response.body#/records/0/id"})],
    ("notices-draft-notice", "200"): [(_NOTICE_READS, {"notice_id": "$response.body#/id"})],
    ("notices-round-notice", "200"): [(_NOTICE_READS, {"notice_id": "$response.body#/id"})],
    ("notices-file-objection", "201"): [(("notices-answer-objection",),
                                         {"objection_id": "$response.body#/objections/0/id"})],
    ("notifications-my-inbox", "200"): [(("notifications-read-one",), {"message_id": "$response.body#/messages/0/id"})],
    ("county-escalate", "201"): [(("county-retract",), {"escalation_id": "$response.body#/id"})],
    ("county-escalations-from", "200"): [(("county-retract",), {"escalation_id": "$response.body#/0/id"})],
    ("county-my-offers", "200"): [(("county-withdraw",), {"entry_id": "$response.body#/0/id"})],
}


def _key_patterns_as_property_names(node: Any) -> None:
    """pydantic publishes ``dict[Ident, X]`` as ``patternProperties: {<Ident's pattern>: X}``, which lets a key
    outside the pattern through (it falls to ``additionalProperties``); the service refuses such keys, so the
    document says ``propertyNames: {pattern}`` with ``additionalProperties: X`` instead."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
            continue
        if not isinstance(current, dict):
            continue
        patterns = current.get("patternProperties")
        if isinstance(patterns, dict) and len(patterns) == 1 and "additionalProperties" not in current:
            [(pattern, values)] = patterns.items()
            del current["patternProperties"]
            current["propertyNames"] = {**current.get("propertyNames", {}), "pattern": pattern}
            current["additionalProperties"] = values
        stack.extend(current.values())


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", operation_id) if part)


def _add_links(schema: dict[str, Any]) -> None:
    operations = {op.get("operationId"): op for item in schema.get("paths", {}).values() for op in item.values()
                  if isinstance(op, dict)}
    for (producer, status), targets in LINKS.items():
        response = operations[producer]["responses"][status]
        links = response.setdefault("links", {})
        for consumers, parameters in targets:
            for consumer in consumers:
                links[_link_name(consumer)] = {"operationId": consumer, "parameters": dict(parameters)}


def split_tag(tag: str) -> tuple[str, str | None]:
    """``"jobs 计划任务"`` → ``("jobs", "计划任务")``; an ASCII-only tag stays as it is."""
    head, _, rest = tag.strip().partition(" ")
    return head, (rest.strip() or None)


def operation_id(route: APIRoute) -> str:
    """``<tag>-<function name>`` in kebab case: ``jobs-create-job``, ``auth-login``."""
    tag = split_tag(str(route.tags[0]))[0] if route.tags else "default"
    name = re.sub(r"[^0-9A-Za-z]+", "-", route.name).strip("-").lower()
    return tag if name == tag else f"{tag}-{name}"


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_CONTENT_TYPE: {"schema": PROBLEM_REF}}


def _shape_errors(operation: dict[str, Any], secured: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    has_input = bool(operation.get("parameters") or operation.get("requestBody"))
    wanted = list(ALWAYS)
    if has_input:
        wanted.append("422")
    if secured:
        wanted += ["401", "403"]
    if operation.get("operationId") in THROTTLED:
        wanted.append("429")
    if operation.get("requestBody"):
        # 400: a body that is not JSON (or not a form) at all, before any field can be named.
        wanted += ["400", "413", "415"]
    for code in wanted:
        responses.setdefault(code, {"description": STATUS_TEXT[code]})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            response["content"] = _problem_content()
            response.setdefault("description", STATUS_TEXT.get(code, "错误 / error"))
        elif code.isdigit():
            _type_files(response)


def _type_files(response: dict[str, Any]) -> None:
    """A download declared with an empty schema is published as what it is: a file (binary) or text."""
    for media_type, media in response.get("content", {}).items():
        if media.get("schema"):
            continue
        text = media_type.startswith("text/")
        media["schema"] = {"type": "string"} if text else {"type": "string", "format": "binary"}


def _is_secured(operation: dict[str, Any], path: str) -> bool:
    if operation.get("security"):
        return True
    # Routes that read the token themselves (optional bearer) still answer 401 on a bad token.
    return path.startswith("/api/") and not path.startswith("/api/v1/auth/")


def build_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes,
        servers=app.servers or None,
    )
    tag_names: dict[str, str | None] = {}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "delete", "patch", "options", "head"}:
                continue
            tags = []
            for tag in operation.get("tags", []):
                name, chinese = split_tag(tag)
                tags.append(name)
                tag_names.setdefault(name, chinese)
            if tags:
                operation["tags"] = tags
            _shape_errors(operation, _is_secured(operation, path))
    _add_links(schema)
    _key_patterns_as_property_names(schema)
    schema["tags"] = [
        {"name": name, **({"description": chinese} if chinese else {})} for name, chinese in sorted(tag_names.items())
    ]
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "Problem" not in components:
        from api.errors import Problem

        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in problem.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components["Problem"] = problem
    # FastAPI's own validation schemas describe a body the service never sends.
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f"#/components/schemas/{unused}" not in _refs(schema):
            del components[unused]
    app.openapi_schema = schema
    return schema


def _refs(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def install_openapi(app: FastAPI) -> None:
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]


def register_docs(app: FastAPI) -> None:
    """``/docs`` (Swagger UI) and ``/redoc`` served with the app's own copies of their assets.

    FastAPI's default pages load both viewers from a public CDN and start them with an inline script: blank
    on the closed networks county offices often run on, and against the pages' Content-Security-Policy.
    """
    from api.web.pages import ASSET_BASE, templates

    def page(request: Request, viewer: str) -> HTMLResponse:
        return templates.TemplateResponse(
            request, "apidocs.html",
            {"title": f"{app.title} · API", "viewer": viewer, "openapi_url": app.openapi_url, "asset_base": ASSET_BASE},
        )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        return page(request, "swagger")

    @app.get("/docs/oauth2-redirect", include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        return page(request, "redoc")
