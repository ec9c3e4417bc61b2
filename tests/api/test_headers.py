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


def test_printable_documents_run_no_script_and_keep_their_print_styles() -> None:
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    from api.headers import DOCUMENT_CSP, SecurityHeadersMiddleware

    app = FastAPI()

    @app.get("/api/v1/items/1/agreement")
    def agreement() -> HTMLResponse:
        return HTMLResponse("<style>h1{text-align:center}</style><h1>帮工协议</h1>")

    @app.get("/home")
    def page() -> HTMLResponse:
        return HTMLResponse("<h1>page</h1>")

    app.add_middleware(SecurityHeadersMiddleware)
    with TestClient(app) as plain:
        document = plain.get("/api/v1/items/1/agreement").headers["content-security-policy"]
        assert document == DOCUMENT_CSP and "script-src 'none'" in document and "frame-ancestors 'none'" in document
        assert plain.get("/home").headers["content-security-policy"] == CSP
