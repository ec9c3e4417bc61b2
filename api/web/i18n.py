"""UI strings: one JSON dictionary per language in ``locales/`` (Chinese first, English second).

``locales/zh.json`` holds the common strings; each area of the service may add its own file
``locales/zh/<area>.json`` (and the same name under ``en/``), merged in name order, so that areas
built side by side never edit the same file.  A key defined twice is an error, caught at load.

The same dictionary serves the Jinja2 page shells (``t("key")``) and the
browser modules (embedded in every page as JSON), so no string is written
twice.  Placeholders are ``{name}``.  A key missing from a language is a
bug the tests catch (both files must have the same keys); at run time it
falls back to the other language, then to the key itself, never to a blank.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
# The value of <html lang>, so screen readers pick the right voice.
HTML_LANG: dict[Lang, str] = {"zh": "zh-CN", "en": "en"}
LANG_COOKIE = "alliance_lang"

LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def messages(lang: Lang) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    area_dir = LOCALES / lang
    for area in sorted(area_dir.glob("*.json")) if area_dir.is_dir() else []:
        extra: dict[str, str] = json.loads(area.read_text(encoding="utf-8"))
        twice = sorted(set(extra) & set(data))
        if twice:
            raise ValueError(f"{area}: keys already defined elsewhere: {', '.join(twice[:5])}")
        data.update(extra)
    return data


def parse_lang(value: str | None) -> Lang | None:
    """``zh``/``en`` (also ``zh-CN``, ``en-US``, any case) or None for anything else."""
    if not value:
        return None
    head = value.strip().lower().split("-")[0].split("_")[0]
    for lang in LANGS:
        if head == lang:
            return lang
    return None


def translate(lang: Lang, key: str, **params: object) -> str:
    text = messages(lang).get(key)
    if text is None:
        other: Lang = "en" if lang == "zh" else "zh"
        text = messages(other).get(key, key)
    return text.format(**params) if params else text


def messages_json(lang: Lang) -> str:
    """The dictionary as JSON safe to put inside <script type="application/json">."""
    return json.dumps(messages(lang), ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
