"""Login, accounts, alliances, enterprises (credit codes), guides, and the one error shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api import credit_code
from api.server import create_app
from api.settings import Settings
from tests.api.conftest import Backend, World, build_world, credit, firm_body, ok, start

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture(scope="module")
def world(sqlite_backend: Backend) -> Iterator[World]:
    client, api = start(sqlite_backend)
    try:
        yield build_world(api, reports=False)
    finally:
        client.__exit__(None, None, None)


# ----- credit codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["9144030071526726XG", "91330100799655058B", "914403001922038216",
                                  "91350100M000100Y43"])
def test_real_credit_codes_pass(code: str) -> None:
    assert credit_code.problem(code) is None


@pytest.mark.parametrize(("code", "why"), [
    ("9144030071526726XA", "校验位"),  # check digit changed
    ("9144030071526726X", "18 位"),
    ("91440300715267I6XG", "非法字符"),  # I is not in the alphabet
    ("914A030071526726XG", "行政区划"),
])
def test_bad_credit_codes_say_why(code: str, why: str) -> None:
    problem = credit_code.problem(code)
    assert problem is not None and why in problem


def test_every_wrong_check_digit_is_caught() -> None:
    first17 = "91350526DH0000015"
    good = credit_code.make(first17)
    assert credit_code.problem(good) is None
    wrong = [c for c in credit_code.ALPHABET if c != good[-1]]
    assert all(credit_code.problem(first17 + c) is not None for c in wrong)


def test_enterprise_credit_code_is_checked(world: World) -> None:
    admin = world.api.as_("root")
    body = {**firm_body("A", 30), "code": "E30", "credit_code": "91350100M000100Y44"}
    r = admin.post(f"/api/v1/alliances/{world.alliance}/enterprises", json=body)
    assert r.status_code == 422
    (error,) = r.json()["errors"]
    assert error["loc"] == ["body", "credit_code"] and error["input"] == "91350100M000100Y44"
    assert "应为 3" in error["msg"]  # the expected check digit is named
    # Lower case and spaces are normalised; a code registered once cannot be registered again.
    body["credit_code"] = "91350100m000100y43"
    created = ok(admin.post(f"/api/v1/alliances/{world.alliance}/enterprises", json=body), 201)
    assert created["credit_code"] == "91350100M000100Y43"
    again = admin.post(f"/api/v1/alliances/{world.alliance}/enterprises", json={**body, "code": "E31"})
    assert again.status_code == 409
    same_code = admin.post(f"/api/v1/alliances/{world.alliance}/enterprises",
                           json={**body, "credit_code": credit(31)})
    assert same_code.status_code == 409
    patched = ok(admin.patch(f"/api/v1/enterprises/{created['id']}", json={"wage_per_day": 230, "processes": ["x"]}))
    assert patched["wage_per_day"] == 230 and patched["processes"] == ["x"]
    assert admin.patch(f"/api/v1/enterprises/{created['id']}", json={"name": None}).status_code == 422
    assert admin.patch(f"/api/v1/enterprises/{created['id']}", json={"credit_code": "123"}).status_code == 422


# ----- login and tokens -----------------------------------------------------------------------------------


def test_login_and_me(world: World) -> None:
    client = world.api.client
    r = client.post("/api/v1/auth/token", data={"username": "clerk-a", "password": "clerk-a-pass"})
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    me = ok(client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}))
    assert me["role"] == "enterprise" and me["enterprise_id"] == world.firms["A"]
    assert me["alliance_ids"] == [world.alliance]
    assert "password_hash" not in me
    wrong = client.post("/api/v1/auth/token", data={"username": "clerk-a", "password": "nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert set(wrong.json()) >= PROBLEM_KEYS
    nobody = client.post("/api/v1/auth/token", data={"username": "ghost", "password": "nope"})
    assert nobody.status_code == 401 and nobody.json()["detail"] == wrong.json()["detail"]


def test_bad_and_expired_tokens(world: World) -> None:
    client = world.api.client
    assert client.get("/api/v1/auth/me", headers={"Authorization": "Bearer not-a-jwt"}).status_code == 401
    now = dt.datetime.now(dt.UTC)
    expired = jwt.encode({"sub": str(world.users["coord"]), "iat": now - dt.timedelta(hours=2),
                          "exp": now - dt.timedelta(hours=1)}, "test-secret-key-0123456789abcdef", algorithm="HS256")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    forged = jwt.encode({"sub": str(world.users["coord"]), "exp": now + dt.timedelta(hours=1)},
                        "another-secret-key-0123456789abcdef", algorithm="HS256")
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_deactivated_account_is_locked_out(world: World) -> None:
    admin = world.api.as_("root")
    ok(admin.post("/api/v1/users", json={"username": "temp", "password": "temp-pass-1", "role": "guide"}), 201)
    world.api.login("temp", "temp-pass-1")
    uid = next(u["id"] for u in ok(admin.get("/api/v1/users", params={"role": "guide"})) if u["username"] == "temp")
    ok(admin.patch(f"/api/v1/users/{uid}", json={"is_active": False}))
    assert world.api.as_("temp").get("/api/v1/auth/me").status_code == 401
    r = world.api.client.post("/api/v1/auth/token", data={"username": "temp", "password": "temp-pass-1"})
    assert r.status_code == 401
    ok(admin.patch(f"/api/v1/users/{uid}", json={"is_active": True, "password": "new-pass-22"}))
    world.api.login("temp", "new-pass-22")
    root_id = ok(admin.get("/api/v1/auth/me"))["id"]
    assert admin.patch(f"/api/v1/users/{root_id}", json={"is_active": False}).status_code == 409


def test_account_links_are_validated(world: World) -> None:
    admin = world.api.as_("root")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"role": "enterprise"}, ["body", "enterprise_id"]),
        ({"role": "enterprise", "enterprise_id": 99999}, ["body", "enterprise_id"]),
        ({"role": "coordinator"}, ["body", "alliance_id"]),
        ({"role": "guide", "alliance_id": world.alliance}, ["body", "alliance_id"]),
        ({"role": "admin", "enterprise_id": world.firms["A"]}, ["body", "enterprise_id"]),
    ]
    for i, (links, loc) in enumerate(cases):
        r = admin.post("/api/v1/users", json={"username": f"u{i}", "password": "linked-pass-1", **links})
        assert r.status_code == 422, links
        assert r.json()["errors"][0]["loc"] == loc
    assert admin.post("/api/v1/users", json={"username": "coord", "password": "linked-pass-1",
                                             "role": "guide"}).status_code == 409
    r = admin.post("/api/v1/users", json={"username": "x y", "password": "short", "role": "boss"})
    assert {tuple(e["loc"]) for e in r.json()["errors"]} == {("body", "username"), ("body", "password"),
                                                            ("body", "role")}


def test_guide_assignment(world: World) -> None:
    admin, guide2 = world.api.as_("root"), world.api.as_("guide2")
    assert guide2.get(f"/api/v1/alliances/{world.alliance}").status_code == 404
    ok(admin.put(f"/api/v1/alliances/{world.alliance}/guides/{world.users['guide2']}"), 204)
    assert ok(guide2.get(f"/api/v1/alliances/{world.alliance}"))["id"] == world.alliance
    names = [u["username"] for u in ok(world.api.as_("coord").get(f"/api/v1/alliances/{world.alliance}/guides"))]
    assert names == ["guide", "guide2"]
    ok(admin.delete(f"/api/v1/alliances/{world.alliance}/guides/{world.users['guide2']}"), 204)
    assert guide2.get(f"/api/v1/alliances/{world.alliance}").status_code == 404
    r = admin.put(f"/api/v1/alliances/{world.alliance}/guides/{world.users['coord']}")
    assert r.status_code == 422
    assert ok(guide2.get("/api/v1/alliances")) == [ok(guide2.get(f"/api/v1/alliances/{world.other_alliance}"))]


def test_enterprise_sees_directory_only(world: World) -> None:
    clerk = world.api.as_("clerk-a")
    members = ok(clerk.get(f"/api/v1/alliances/{world.alliance}/enterprises"))
    assert set(members[0]) == {"id", "code", "name"}
    full = ok(world.api.as_("coord").get(f"/api/v1/alliances/{world.alliance}/enterprises"))
    assert "credit_code" in full[0] and "wage_per_day" in full[0]


def test_audit_entries_for_admin_changes(world: World) -> None:
    admin = world.api.as_("root")
    entries = ok(admin.get("/api/v1/audit", params={"entity": "enterprise", "limit": 500}))
    update = next(e for e in entries if e["action"] == "enterprise.update")
    assert update["before"]["wage_per_day"] == 200.0 and update["after"]["wage_per_day"] == 230.0
    assert update["actor_id"] is not None and update["alliance_id"] == world.alliance
    users = ok(admin.get("/api/v1/audit", params={"entity": "user"}))
    assert users and all("password_hash" not in (e["after"] or {}) for e in users)
    changed = next(e for e in users if e["action"] == "user.update" and (e["after"] or {}).get("password"))
    assert changed["after"]["password"] == "changed"
    page = ok(admin.get("/api/v1/audit", params={"limit": 2}))
    older = ok(admin.get("/api/v1/audit", params={"limit": 2, "before_id": page[-1]["id"]}))
    assert len(page) == 2 and older[0]["id"] < page[-1]["id"]


# ----- the one error shape --------------------------------------------------------------------------------


def _problem(r: object, status: int) -> dict:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert body["type"].startswith("urn:dehua-alliance:problem:")
    return body


def test_problem_details_everywhere(world: World) -> None:
    client, coord = world.api.client, world.api.as_("coord")
    assert _problem(client.get("/api/v1/alliances"), 401)["instance"] == "/api/v1/alliances"
    _problem(coord.get("/api/v1/rounds/424242"), 404)
    _problem(client.get("/no/such/path"), 404)
    _problem(client.delete("/health"), 405)
    _problem(world.api.as_("clerk-a").get("/api/v1/audit"), 403)
    body = _problem(coord.post(f"/api/v1/alliances/{world.alliance}/rounds", content=b"{not json",
                               headers={"Content-Type": "application/json"}), 422)
    assert body["errors"][0]["loc"][0] == "body"
    body = _problem(coord.get("/api/v1/rounds/not-a-number"), 422)
    assert body["errors"][0] == {"loc": ["path", "round_id"], "field": "path.round_id", "msg": body["errors"][0]["msg"],
                                 "type": "int_parsing", "input": "not-a-number"}


def test_unexpected_errors_do_not_leak(sqlite_backend: Backend) -> None:
    app = create_app(sqlite_backend.settings())

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret connection string postgres://u:p@h/db")

    with TestClient(app, raise_server_exceptions=False) as client:
        body = _problem(client.get("/boom"), 500)
        assert "secret" not in str(body) and body["error_id"]
        assert body["title"].startswith("服务器内部错误")


def test_health_needs_no_token(sqlite_backend: Backend) -> None:
    with TestClient(create_app(sqlite_backend.settings())) as client:
        assert client.get("/health").json() == {"status": "ok", "database": "ok"}




def test_a_signing_key_shorter_than_32_characters_is_refused() -> None:
    # HS256 wants at least 32 bytes of key (RFC 7518, 3.2); a short one must stop the service at start.
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(secret_key="x" * 31)
    assert len(Settings(secret_key="x" * 32).secret_key) == 32
