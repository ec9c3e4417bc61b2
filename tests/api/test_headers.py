"""Browser security headers: CSP on the pages, nosniff / frame / referrer headers everywhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.headers import CSP
from tests.api.conftest import Backend, start


@pytest.fixture(scope="module")
def client(sqlite_backend: Backend) -> Iterator[TestClient]:
    client, _ = start(sqlite_backend)
    try:
        yield client
    finally:
        client.__exit__(None, None, None)


def test_pages_carry_a_strict_csp(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert csp == CSP and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    # The page has no inline script other than JSON data, and no inline style: the CSP fits it.
    html = r.text
    assert "<style" not in html and " style=" not in html and " onclick=" not in html
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert 'type="application/json"' in head or "src=" in head, head


def test_api_answers_carry_nosniff(client: TestClient) -> None:
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in r.headers  # JSON, not a page
