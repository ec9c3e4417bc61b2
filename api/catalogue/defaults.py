"""The seed names of the catalogue: the Dehua ceramics chain's skills, processes and machines (Chinese, English).

Processes (what an order needs) and skills (what a worker does) share their
codes in the scenarios (MODEL.md: ``order.process`` is one of the skills), so
a process without its own name takes the skill's.  An admin's edit is stored in
the ``display_name`` table and wins over these.
"""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal["skill", "process", "machine"]
KINDS: Final[tuple[Kind, ...]] = ("skill", "process", "machine")

SKILLS: Final[dict[str, tuple[str, str]]] = {
    "forming": ("成型", "forming"),
    "glazing": ("施釉", "glazing"),
    "firing": ("烧成", "firing"),
    "decorating": ("彩绘", "decorating"),
    "packing": ("包装", "packing"),
    "trimming": ("修坯", "trimming"),
    "mold_making": ("制模", "mould making"),
    "slip_casting": ("注浆", "slip casting"),
    "sculpting": ("雕塑", "sculpting"),
    "printing": ("印花", "printing"),
    "decal": ("贴花", "decal application"),
    "grinding": ("磨底", "foot grinding"),
    "inspecting": ("检验", "inspection"),
    "kiln_loading": ("装窑", "kiln loading"),
}

MACHINES: Final[dict[str, tuple[str, str]]] = {
    "roller_line": ("滚压成型线", "roller forming line"),
    "kiln": ("窑炉", "kiln"),
    "decal_kiln": ("烤花窑", "decal kiln"),
    "tunnel_kiln": ("隧道窑", "tunnel kiln"),
    "shuttle_kiln": ("梭式窑", "shuttle kiln"),
    "roller_kiln": ("辊道窑", "roller kiln"),
    "glaze_line": ("施釉线", "glazing line"),
    "glaze_sprayer": ("喷釉机", "glaze sprayer"),
    "press": ("压坯机", "press"),
    "casting_line": ("注浆线", "casting line"),
    "pad_printer": ("移印机", "pad printer"),
}

DEFAULTS: Final[dict[Kind, dict[str, tuple[str, str]]]] = {"skill": SKILLS, "process": {}, "machine": MACHINES}
