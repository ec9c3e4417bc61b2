"""Property-based run over the OpenAPI schema (schemathesis): no request gets a 5xx.

Bounded for CI: at most 25 examples per operation, every solve capped at one second (about a minute in
all).  Requests carry a coordinator's token, or the admin's for the admin operations, so most of them get
past authentication into the services; the database holds a small alliance with a round and reports, and
ids are small integers, so generated ids hit real rows as well as missing ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.server import create_app
from tests.api.conftest import Api, Backend, build_world

ADMIN_PATHS = ("/api/v1/users", "/api/v1/audit")


@pytest.fixture(scope="module")
def app_with_data(sqlite_backend: Backend) -> Iterator[tuple[Any, dict[str, str]]]:
    app = create_app(sqlite_backend.settings(solver_time_limit_s=1.0, solver_max_time_limit_s=1.0))
    with TestClient(app) as client:
        api = Api(client)
        build_world(api)
        yield app, {"admin": api.tokens["root"], "coord": api.tokens["coord"]}


@pytest.fixture(scope="module")
def api_schema(app_with_data: tuple[Any, dict[str, str]]) -> Any:
    app, _ = app_with_data
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def tokens(app_with_data: tuple[Any, dict[str, str]]) -> dict[str, str]:
    return app_with_data[1]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, tokens: dict[str, str]) -> None:
    path = case.operation.path
    admin = path.startswith(ADMIN_PATHS) or "/guides" in path or (
        case.method.upper() == "POST" and path in ("/api/v1/alliances", "/api/v1/alliances/{alliance_id}/enterprises"))
    token = tokens["admin" if admin else "coord"]
    headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    if path == "/api/v1/auth/token":
        headers.pop("Authorization")
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
    if response.status_code >= 400:
        content_type = response.headers["content-type"]
        content_type = content_type[0] if isinstance(content_type, list) else content_type
        assert content_type.startswith("application/problem+json"), response.text
