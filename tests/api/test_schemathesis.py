"""Property-based runs over the published OpenAPI (schemathesis, every check), for every role, and its stateful
phase along the document's links.

The data: a county alliance above two parks (tests/api/county/conftest.py), both parks planned, approved and
escalated, park A's loan confirmed and recorded, park A's notice published with an objection: so generated ids
hit real rows of every kind as well as missing ones.  Each operation runs with the token of each role (the
admin, the county coordinator, a park coordinator, a guide, a firm's clerk), so what one role may not do is
answered 401/403/404 as documented, never 5xx, and what it may do is answered as the schema says.

Every built-in check runs except ``positive_data_acceptance``, which runs in a narrower form: a request valid by
the schema may still be refused with 422 when what it names does not fit the stored data (a skill the round
does not plan, a firm of another alliance, a check digit); the schema cannot say that.  Such refusals carry
an error type from :data:`api.errors.REFERENCE_ERROR_TYPES`; any other refusal of schema-valid data fails.

Bounded for CI: a few examples per operation and role, solves capped at one second.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Config
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.errors import REFERENCE_ERROR_TYPES
from api.server import create_app
from tests.api.conftest import Api, Backend, ok
from tests.api.county.conftest import build_county, escalate_both

ROLES = ("root", "ccoord", "pa-coord", "pa-guide", "clerk-a")


@pytest.fixture(scope="module")
def app_with_data(sqlite_backend: Backend) -> Iterator[tuple[Any, dict[str, str]]]:
    app = create_app(sqlite_backend.settings(solver_time_limit_s=1.0, solver_max_time_limit_s=1.0))
    with TestClient(app) as client:
        api = Api(client)
        world = build_county(api)
        world.state["offers"] = escalate_both(world)
        park = world.rounds["pa"]
        [loan] = [i for i in ok(api.as_("clerk-a").get("/api/v1/me/items")) if i["kind"] == "loan"]
        for row in loan["rows"]:
            ok(api.as_("clerk-a").post(f"/api/v1/items/{loan['id']}/execution/records",
                                       json={"day": row["day"], "workers": row["workers"]}))
        notice = ok(api.as_("pa-coord").put(f"/api/v1/rounds/{park}/notice", json={"text": "本轮结果公示。"}))
        ok(api.as_("pa-coord").post(f"/api/v1/notices/{notice['id']}/submit"))
        ok(api.as_("pa-guide").post(f"/api/v1/notices/{notice['id']}/review", json={"decision": "approve"}))
        ok(api.as_("clerk-b").post(f"/api/v1/notices/{notice['id']}/objections", json={"text": "为何未安排？"}), 201)
        yield app, {role: api.tokens[role] for role in ROLES}


def _requests_only(app: Any) -> Any:
    """The app without its lifespan: the fixture's TestClient runs it once; schemathesis would start it again
    (a second solve pool and runner over the first) and stop it between tests, leaving a shut-down pool."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    return wrapped


def _loaded(app: Any, phases: dict[str, Any]) -> Any:
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(app.openapi()), config=Config.from_dict({"phases": phases}))
    loaded.app, loaded.location = _requests_only(app), "/openapi.json"
    return loaded


@pytest.fixture(scope="module")
def api_schema(app_with_data: tuple[Any, dict[str, str]]) -> Any:
    """Random (fuzzing) cases, and the stateful phase; the coverage phase runs once, in the next schema.

    The stateful phase follows only the published links (``api.openapi.LINKS``): schemathesis's own inference
    guessed links such as a report id into a round id, and sent ``/rounds/None/...`` when the guess had no value."""
    return _loaded(app_with_data[0], {"examples": {"enabled": False}, "coverage": {"enabled": False},
                                      "stateful": {"inference": {"algorithms": []}}})


@pytest.fixture(scope="module")
def boundary_schema(app_with_data: tuple[Any, dict[str, str]]) -> Any:
    """The coverage phase: each constraint's boundaries, missing and wrong-typed parts, wrong methods."""
    return _loaded(app_with_data[0], {"examples": {"enabled": False}, "fuzzing": {"enabled": False}})


@pytest.fixture(scope="module")
def tokens(app_with_data: tuple[Any, dict[str, str]]) -> dict[str, str]:
    return app_with_data[1]


def _refused_for_stored_data(response: Any) -> bool:
    if response.status_code != 422:
        return False
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(e.get("type") in REFERENCE_ERROR_TYPES for e in errors)


def schema_valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, except for refusals that name stored data the schema cannot know."""
    if _refused_for_stored_data(response):
        return None
    return positive_data_acceptance(ctx, response, case)


def _headers(case: Any, token: str) -> dict[str, str]:
    headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    if case.operation.path == "/api/v1/auth/token":
        headers.pop("Authorization")
    return headers


schema = schemathesis.pytest.from_fixture("api_schema")
boundaries = schemathesis.pytest.from_fixture("boundary_schema")


def _validate(case: Any, token: str) -> None:
    case.call_and_validate(headers=_headers(case, token), excluded_checks=[positive_data_acceptance],
                           additional_checks=[schema_valid_data_accepted])


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_check_for_every_role(case: Any, tokens: dict[str, str]) -> None:
    for role in ROLES:
        _validate(case, tokens[role])


@boundaries.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_check_on_the_boundaries(case: Any, tokens: dict[str, str]) -> None:
    # The park coordinator reaches most operations past authorisation; the admin's own are tried as the admin.
    admin = case.operation.path.startswith(("/api/v1/users", "/api/v1/audit", "/api/v1/catalogue/")) or \
        "/guides/" in case.operation.path or (case.method.upper() == "POST" and case.operation.path in (
            "/api/v1/alliances", "/api/v1/alliances/{alliance_id}/enterprises"))
    _validate(case, tokens["root" if admin else "pa-coord"])


@pytest.mark.parametrize("role", ("ccoord", "pa-coord", "clerk-a"))
def test_stateful_along_the_links(api_schema: Any, tokens: dict[str, str], role: str) -> None:
    """Create, then read and act on what was created, following the OpenAPI links (rounds → jobs → plans →
    proposals → items → records, notices → objections, escalations → retract)."""
    token = tokens[role]

    class Workflow(api_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": _headers(case, token)}

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            case.validate_response(response, excluded_checks=[positive_data_acceptance],
                                   additional_checks=[schema_valid_data_accepted], transport_kwargs=kwargs)

    Workflow.run(settings=settings(max_examples=8, stateful_step_count=6, deadline=None,
                                   suppress_health_check=list(HealthCheck)))
