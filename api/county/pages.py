"""The county pages (shells; the data comes from /api/v1/county in the browser, which enforces every permission)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/county", response_class=HTMLResponse)
def county(request: Request, round: int | None = None) -> Response:
    """A coordinator's county desk: escalate from a park round, or what a county round received."""
    return render(request, "county", "county.title", {"round": round or ""})


@router.get("/county/offers", response_class=HTMLResponse)
def offers(request: Request) -> Response:
    """A firm's offers upward, with withdraw."""
    return render(request, "county_offers", "county_offers.title")


@router.get("/county/tree", response_class=HTMLResponse)
def tree(request: Request) -> Response:
    """The admin builds the alliance tree."""
    return render(request, "county_tree", "county_tree.title")
