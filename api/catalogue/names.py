"""Reading the catalogue: the seed names overlaid with the admin's edits, and one look-up for every reader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.catalogue.defaults import DEFAULTS, KINDS, Kind
from api.models import DisplayName


@dataclass(frozen=True)
class Entry:
    kind: Kind
    code: str
    name_zh: str
    name_en: str
    edited: bool


# A code as the domain writes them: lower-case letters and underscores ("decorating", "roller_line").
_CODE = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*(?![A-Za-z0-9_])")


@dataclass
class Catalogue:
    entries: dict[Kind, dict[str, Entry]] = field(default_factory=lambda: {k: {} for k in KINDS})

    def name(self, kind: Kind, code: str | None, lang: str = "zh") -> str:
        """The name of ``code`` in ``lang``; a process falls back to the skill of the same code, then the code."""
        if code is None:
            return ""
        entry = self.entries[kind].get(code)
        if entry is None and kind == "process":
            entry = self.entries["skill"].get(code)
        if entry is None:
            return code
        return entry.name_zh if lang == "zh" else entry.name_en

    def zh(self, kind: Kind, code: str | None) -> str:
        return self.name(kind, code, "zh")

    def en(self, kind: Kind, code: str | None) -> str:
        return self.name(kind, code, "en")

    def named_text(self, text: str, lang: str = "zh") -> str:
        """A sentence with every skill, process or machine code in it replaced by its name (the domain's reasons
        are written with codes, ``alliance/reasons.py``; a person reads names)."""

        def swap(match: re.Match[str]) -> str:
            code = match.group(0)
            for kind in ("skill", "process", "machine"):
                if code in self.entries[kind]:  # type: ignore[index]
                    return self.name(kind, code, lang)  # type: ignore[arg-type]
            return code

        return _CODE.sub(swap, text)

    def as_dict(self, lang: str) -> dict[str, dict[str, str]]:
        """``{kind: {code: name}}`` in one language: what the pages embed for ``term()``."""
        return {kind: {code: (e.name_zh if lang == "zh" else e.name_en) for code, e in codes.items()}
                for kind, codes in self.entries.items()}

    def rows(self) -> list[Entry]:
        """Seeded codes in the seed's order (the chain's order: forming before glazing before firing), then the rest."""
        out: list[Entry] = []
        for kind in KINDS:
            seeded = list(DEFAULTS[kind])
            out += sorted(self.entries[kind].values(),
                          key=lambda e: (seeded.index(e.code) if e.code in seeded else len(seeded), e.code))
        return out


def seed_catalogue() -> Catalogue:
    """The seed names alone: for readers without a database (the CLI)."""
    cat = Catalogue()
    for kind in KINDS:
        for code, (zh, en) in DEFAULTS[kind].items():
            cat.entries[kind][code] = Entry(kind, code, zh, en, edited=False)
    return cat


def load(session: Session) -> Catalogue:
    cat = seed_catalogue()
    for row in session.scalars(select(DisplayName)):
        if row.kind in KINDS:
            kind: Kind = row.kind  # type: ignore[assignment]
            cat.entries[kind][row.code] = Entry(kind, row.code, row.name_zh, row.name_en, edited=True)
    return cat
