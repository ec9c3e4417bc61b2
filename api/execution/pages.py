"""The pages of execution and settlement: shells over the JSON API, like every page (``api.web.pages``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/execution", response_class=HTMLResponse)
def execution(request: Request, round: int | None = None) -> Response:
    return render(request, "execution", "execution.title", {"round": round or ""})


@router.get("/settlement", response_class=HTMLResponse)
def settlement(request: Request, round: int | None = None) -> Response:
    return render(request, "settlement", "settlement.title", {"round": round or ""})


@router.get("/notice", response_class=HTMLResponse)
def notice(request: Request, round: int | None = None) -> Response:
    return render(request, "notice", "notice.title", {"round": round or ""})


@router.get("/outcomes", response_class=HTMLResponse)
def outcomes(request: Request, alliance: int | None = None) -> Response:
    return render(request, "outcomes", "outcomes.title", {"alliance": alliance or ""})


@router.get("/inbox", response_class=HTMLResponse)
def inbox(request: Request) -> Response:
    return render(request, "inbox", "inbox.title")
