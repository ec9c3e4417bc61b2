"""The page shells without a browser: routes, language choice, the string dictionaries, no asset from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from alliance.plan import StopReason
from alliance.scenario import Policy
from api.catalogue.defaults import SKILLS
from api.server import create_app
from api.web import i18n
from api.web.pages import ASSET_BASE, STATIC_DIR
from tests.web.world import settings_for

WEB = Path(i18n.__file__).resolve().parent
PAGES = ["/", "/login", "/home", "/report", "/report?round=1&enterprise=2", "/items", "/agreements/3", "/rounds/1",
         "/rounds/new", "/jobs/1", "/jobs/1/plan", "/proposals/1", "/county", "/county?round=1", "/county/offers",
         "/county/tree", "/execution", "/execution?round=1", "/settlement?round=1", "/notice?round=1", "/outcomes",
         "/inbox"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(tmp_path_factory.mktemp("pages") / "pages.db"))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_served_in_chinese_by_default(client: TestClient, path: str) -> None:
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in r.text
    page = re.search(r'<body data-page="(\w+)"', r.text)
    assert page is not None
    assert f'{ASSET_BASE}/js/pages/{page.group(1)}.js' in r.text
    assert client.get(f"{ASSET_BASE}/js/pages/{page.group(1)}.js").status_code == 200


def test_english_is_chosen_by_the_query_and_remembered(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/home?lang=en")
    assert '<html lang="en">' in r.text and "<title>Home ·" in r.text
    assert r.cookies.get(i18n.LANG_COOKIE) == "en"
    # The switch link goes back to Chinese on the same page, keeping the other parameters.
    assert 'href="/home?lang=zh"' in r.text
    again = client.get("/rounds/1")  # the cookie is sent back
    assert '<html lang="en">' in again.text
    assert 'href="/rounds/1?lang=zh"' in again.text
    back = client.get("/report?round=1&lang=zh")
    assert '<html lang="zh-CN">' in back.text and 'href="/report?round=1&amp;lang=en"' in back.text
    client.cookies.clear()


def test_an_unknown_language_falls_back_to_chinese(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/login?lang=fr")
    assert '<html lang="zh-CN">' in r.text
    assert i18n.LANG_COOKIE not in r.cookies
    assert i18n.parse_lang("en-US") == "en" and i18n.parse_lang("ZH_cn") == "zh" and i18n.parse_lang("") is None


def test_the_dictionary_is_embedded_and_safe_inside_a_script_tag(client: TestClient) -> None:
    r = client.get("/login?lang=en")
    embedded = re.search(r'<script type="application/json" id="i18n-data">(.*?)</script>', r.text, re.S)
    assert embedded is not None
    assert '"login.submit":"Sign in"' in embedded.group(1)
    assert "</" not in i18n.messages_json("zh") and "</" not in i18n.messages_json("en")


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    zh, en = i18n.messages("zh"), i18n.messages("en")
    assert sorted(zh) == sorted(en)
    for key in zh:
        assert zh[key].strip() and en[key].strip(), key
        assert set(re.findall(r"\{(\w+)\}", zh[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def _used_keys() -> set[str]:
    prefixes = {key.split(".")[0] for key in i18n.messages("zh")}
    alternatives = "|".join(sorted(prefixes))
    literal = re.compile(r"""["']((?:""" + alternatives + r""")\.[a-z_][a-z0-9_]*)["']""")
    keys: set[str] = set()
    for path in [*WEB.rglob("*.js"), *WEB.rglob("*.html"), WEB / "pages.py"]:
        keys |= set(literal.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_string_the_pages_use_is_in_the_dictionary() -> None:
    known = set(i18n.messages("zh"))
    # Groups the modules complete at run time: term(`status.${group}`, code), t(`rule.${n}`), ...
    groups = {"status.job", "status.plan"}
    missing = sorted(k for k in _used_keys() - groups if k not in known)
    assert missing == []
    dynamic = [f"rule.{n}" for n in range(1, 10)] + [
        f"status.{group}.{code}" for group, codes in {
            "round": ["open", "closed"], "job": ["queued", "running", "succeeded", "failed", "cancelled"],
            "plan": ["OPTIMAL", "FEASIBLE", "INFEASIBLE", "UNKNOWN"],
            "proposal": ["draft", "submitted", "approved", "rejected"], "item": ["pending", "confirmed", "declined"],
            "decision": ["approve", "reject"]}.items() for code in codes
    ] + [f"items.role_{r}" for r in ("sends", "produces", "lends", "borrows")] + [
        f"home.title_{r}" for r in ("enterprise", "coordinator", "guide", "admin")] + [
        f"changes.{c}" for c in ("added", "changed", "removed", "kept")] + [
        f"kind.{k}" for k in ("subcontract", "loan", "own")] + [
        f"answer.{a}" for a in ("confirm", "decline", "waiting")] + [
        f"role.{r}" for r in ("admin", "coordinator", "enterprise", "guide")] + [
        f"policy.{name}{suffix}" for name in Policy.model_fields for suffix in ("", "_hint")] + [
        f"stop.{reason.value}" for reason in StopReason]  # why a solve stopped (plan and job pages)
    assert sorted(k for k in dynamic if k not in known) == []


def test_translate_fills_placeholders_and_never_returns_blank() -> None:
    assert i18n.translate("zh", "round.reported_count", n=3, total=5) == "已填报 3 / 5 家"
    assert i18n.translate("en", "round.reported_count", n=3, total=5) == "3 of 5 firms reported"
    assert i18n.translate("en", "no.such.key") == "no.such.key"


def test_the_round_form_offers_the_domain_defaults_explained(client: TestClient) -> None:
    """Every MODEL.md policy value is a labelled input pre-filled with the domain's default, its meaning below it."""
    client.cookies.clear()
    page = client.get("/rounds/new").text
    for name, info in Policy.model_fields.items():
        default = info.default if info.annotation is int else f"{info.default:g}"
        field = re.search(rf'<input id="policy-{name}" name="{name}"[^>]*>', page, re.S)
        assert field is not None, name
        assert f'value="{default}"' in field.group(0) and f'data-loc="policy.{name}"' in field.group(0)
        assert f'<label for="policy-{name}">{i18n.translate("zh", f"policy.{name}")}</label>' in page
        hint = i18n.translate("zh", f"policy.{name}_hint", default=default)
        assert f'<span class="hint" id="policy-{name}-hint">{hint}</span>' in page
        assert f"默认 {default}" in hint
    # The choices are the catalogue's skills, by their Chinese names.
    assert page.count('type="checkbox" name="skill"') == len(SKILLS) and "施釉" in page
    english = client.get("/rounds/new?lang=en").text
    assert "Farthest worker loan (km)" in english and "Default 10 km." in english
    client.cookies.clear()


def test_no_asset_comes_from_another_site() -> None:
    """No CDN: every script, style, font and image is served by the app itself."""
    external = re.compile(r"""(?:src|href|url|import)\s*[=(]?\s*["'(]?\s*(?:https?:)?//""", re.I)
    offenders = []
    # vendor/ holds third-party bundles unchanged (the API docs viewers); their code builds URLs in strings
    # but loads nothing from elsewhere: tests/api/test_openapi.py checks what /docs and /redoc fetch.
    for path in [*STATIC_DIR.rglob("*"), *(WEB / "templates").rglob("*")]:
        if "vendor" in path.relative_to(WEB).parts:
            continue
        if path.is_file() and path.suffix in (".js", ".css", ".html", ".svg"):
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.name}: {m.group(0)}" for m in external.finditer(text)]
    assert offenders == []


def test_static_files_are_served_under_a_versioned_path(client: TestClient) -> None:
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            rel = path.relative_to(STATIC_DIR).as_posix()
            r = client.get(f"{ASSET_BASE}/{rel}")
            assert r.status_code == 200, rel
    assert client.get("/favicon.ico", follow_redirects=False).headers["location"] == f"{ASSET_BASE}/favicon.svg"


def test_the_api_keeps_its_own_error_shape_next_to_the_pages(client: TestClient) -> None:
    r = client.get("/api/v1/auth/me")
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/jobs/not-a-number").status_code == 422


def test_a_mistyped_page_address_gets_a_page_not_json(client: TestClient) -> None:
    client.cookies.clear()
    for path in ("/no/such/page", "/rounds/abc"):
        r = client.get(path, headers={"accept": "text/html"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "找不到页面" in r.text and 'href="/home"' in r.text
    # The API and clients that do not ask for a page keep problem+json.
    r = client.get("/api/v1/no-such", headers={"accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/no/such/page").headers["content-type"].startswith("application/problem+json")
