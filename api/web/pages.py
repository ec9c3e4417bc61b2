"""Server-rendered page shells: one Jinja2 template per page, the data comes from the JSON API in the browser.

The pages carry no data of their own and need no login to be served: the
browser module of each page reads the bearer token from ``sessionStorage``
and calls ``/api/v1``, which enforces every permission.  A page without a
token sends the visitor to the sign-in page.

Language: ``?lang=en`` / ``?lang=zh`` switches and is remembered in a
cookie; without either, Chinese.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from alliance.scenario import Policy
from api.catalogue import Catalogue, load
from api.web import i18n

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_URL = "/web-static"
COOKIE_MAX_AGE = 365 * 24 * 3600

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


def _asset_version() -> str:
    """A hash of every static file: part of the asset URLs, so a new release is never served from a stale cache."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


ASSET_VERSION = _asset_version()
# The version is part of the path, so the modules' relative imports are versioned too.
ASSET_BASE = f"{STATIC_URL}/{ASSET_VERSION}"


def request_lang(request: Request) -> tuple[i18n.Lang, bool]:
    """The page language and whether it was chosen by this request's ``?lang=`` (then remembered)."""
    chosen = i18n.parse_lang(request.query_params.get("lang"))
    if chosen is not None:
        return chosen, True
    return i18n.parse_lang(request.cookies.get(i18n.LANG_COOKIE)) or i18n.DEFAULT_LANG, False


def _switch_url(request: Request, lang: i18n.Lang) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(query)}"


def page_catalogue(request: Request) -> Catalogue:
    """The display names of skills, processes and machines, read for each page (an admin's edit shows at once)."""
    session = request.app.state.session_factory()
    try:
        return load(session)
    finally:
        session.close()


def _json_script(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def render(request: Request, page: str, title_key: str, data: dict[str, Any] | None = None,
           extra: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """The page shell; ``data`` goes to the body's data- attributes (read by the module), ``extra`` to the template."""
    lang, chosen = request_lang(request)
    other: i18n.Lang = "en" if lang == "zh" else "zh"

    def t(key: str, **params: object) -> str:
        return i18n.translate(lang, key, **params)

    context = {
        "page": page,
        "title_key": title_key,
        "lang": lang,
        "html_lang": i18n.HTML_LANG[lang],
        "other_lang": other,
        "other_html_lang": i18n.HTML_LANG[other],
        "switch_url": _switch_url(request, other),
        "t": t,
        "messages_json": i18n.messages_json(lang),
        "catalogue_json": _json_script(page_catalogue(request).as_dict(lang)),
        "page_data": data or {},
        "asset": lambda path: f"{ASSET_BASE}/{path}",
        **(extra or {}),
    }
    response = templates.TemplateResponse(request, f"{page}.html", context, status_code=status_code)
    if chosen:
        response.set_cookie(i18n.LANG_COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="lax", httponly=False)
    # Pages are shells: always revalidate so a release shows at once (the assets are versioned by hash).
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/", response_class=HTMLResponse)
def root(request: Request) -> Response:
    return render(request, "login", "login.title")


@router.get("/login", response_class=HTMLResponse)
def login(request: Request) -> Response:
    return render(request, "login", "login.title")


@router.get("/home", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return render(request, "home", "home.title")


@router.get("/report", response_class=HTMLResponse)
def report(request: Request, round: int | None = None, enterprise: int | None = None) -> Response:
    return render(request, "report", "report.title", {"round": round or "", "enterprise": enterprise or ""})


@router.get("/items", response_class=HTMLResponse)
def items(request: Request) -> Response:
    return render(request, "items", "items.title")


@router.get("/agreements/{item_id}", response_class=HTMLResponse)
def agreement(request: Request, item_id: int) -> Response:
    return render(request, "agreement", "agreement.title", {"item": item_id})


def policy_fields() -> list[dict[str, Any]]:
    """The MODEL.md policy values with their defaults, straight from the domain's ``Policy`` (never retyped here)."""
    fields = []
    for name, info in Policy.model_fields.items():
        integer = info.annotation is int
        default = info.default
        fields.append({"name": name, "integer": integer, "default": str(default) if integer else f"{default:g}"})
    return fields


def known_codes(catalogue: Catalogue, group: str, lang: i18n.Lang) -> list[tuple[str, str]]:
    """(code, name) of the skills or machines the catalogue names: the choices offered when opening a round."""
    return [(e.code, e.name_zh if lang == "zh" else e.name_en) for e in catalogue.rows() if e.kind == group]


# Before /rounds/{round_id}: "new" is not a round id.
@router.get("/rounds/new", response_class=HTMLResponse)
def round_new(request: Request) -> Response:
    lang, _ = request_lang(request)
    catalogue = page_catalogue(request)
    return render(request, "round_new", "round_new.title", extra={
        "policy_fields": policy_fields(), "skills": known_codes(catalogue, "skill", lang),
        "machines": known_codes(catalogue, "machine", lang)})


@router.get("/alliance/policy", response_class=HTMLResponse)
def alliance_policy(request: Request) -> Response:
    return render(request, "alliance_policy", "lifecycle.policy_title", extra={"policy_fields": policy_fields()})


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
def round_board(request: Request, round_id: int) -> Response:
    return render(request, "round", "round.title", {"round": round_id})


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job(request: Request, job_id: int) -> Response:
    return render(request, "job", "job.title", {"job": job_id})


@router.get("/jobs/{job_id}/plan", response_class=HTMLResponse)
def plan(request: Request, job_id: int) -> Response:
    return render(request, "plan", "plan.title", {"job": job_id})


@router.get("/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal(request: Request, proposal_id: int) -> Response:
    return render(request, "proposal", "proposal.title", {"proposal": proposal_id})


@router.get("/admin/catalogue", response_class=HTMLResponse)
def catalogue(request: Request) -> Response:
    return render(request, "catalogue", "catalogue.title")


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse(f"{ASSET_BASE}/favicon.svg")


_NOT_PAGES = ("/api/", "/web-static/", "/docs", "/redoc", "/openapi", "/health")


def _wants_page(request: Request) -> bool:
    """A person's browser asking for a page (not the API, the docs or a static file)."""
    return (request.method == "GET" and not request.url.path.startswith(_NOT_PAGES)
            and "text/html" in request.headers.get("accept", ""))


def register_web(app: FastAPI) -> None:
    """Add the pages and their static files to the service (called once by ``api.server.create_app``)."""
    app.include_router(router)
    from api.county.pages import router as county_pages  # the county domain's pages (api/county)

    app.include_router(county_pages)
    app.mount(ASSET_BASE, StaticFiles(directory=str(STATIC_DIR)), name="web-static")
    api_handler = app.exception_handlers[StarletteHTTPException]

    async def not_found_page(request: Request, exc: Exception) -> Response:
        # A mistyped page address gets a page saying so, in the page's language, with a way home;
        # everything else keeps the API's problem+json.
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 404 and _wants_page(request):
            return render(request, "not_found", "not_found.title", {"path": request.url.path}, status_code=404)
        result: Response = await api_handler(request, exc)  # type: ignore[misc]
        return result

    app.add_exception_handler(StarletteHTTPException, not_found_page)
    validation_handler = app.exception_handlers[RequestValidationError]

    async def bad_page_address(request: Request, exc: Exception) -> Response:
        # "/rounds/abc": a page address with a malformed id is a page that does not exist.
        if _wants_page(request):
            return render(request, "not_found", "not_found.title", {"path": request.url.path}, status_code=404)
        result: Response = await validation_handler(request, exc)  # type: ignore[misc]
        return result

    app.add_exception_handler(RequestValidationError, bad_page_address)
