"""The printable notice (A4, HTML with print CSS), autoescaped."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.notices.schemas import NoticeOut

_env = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                   autoescape=select_autoescape(["html"]))


def render(notice: NoticeOut) -> str:
    return _env.get_template("notice.html").render(n=notice, f=notice.figures)
