"""Issue 13's probes, repeated: the time and Python memory each takes to be refused (a figure, not a test).

Runs in-process against a fresh SQLite service (the API tests' small alliance) and prints, per probe, the
status, the wall time and tracemalloc's peak.  ``python -m benchmarks.probes``
"""

from __future__ import annotations

import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from tests.api.conftest import Backend, build_world, start
from tests.api.test_limits import SHEET_HEAD, dimension_bomb, xlsx_with_sheet_xml


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="alliance-probes-"))
    client, api = start(Backend("sqlite", f"sqlite:///{folder / 'p.db'}"))
    try:
        world = build_world(api, reports=False)
        clerk = api.as_("clerk-a")
        url = f"/api/v1/rounds/{world.round}/reports/{world.firms['A']}"
        shared = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                  b"<si><t>" + b"a" * (200 * 1024 * 1024) + b"</t></si></sst>")
        string_bomb = xlsx_with_sheet_xml(SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                                          b"</sheetData></worksheet>", shared)
        del shared
        many_keys = json.dumps({"idle_workers": {f"s{i}": 1 for i in range(1_000_000)}}).encode()
        order = {"id": "o", "process": "forming", "skill": "forming", "quantity": 1, "labor_minutes_per_unit": 1,
                 "due_day": 1, "value_per_unit": 1}
        probes: list[tuple[str, Any]] = [
            ("dimension bomb .xlsx (A1 + XFD1048576)", lambda: clerk.post(
                f"{url}/import", files={"files": ("b.xlsx", dimension_bomb(True))})),
            ("dimension bomb without <dimension>", lambda: clerk.post(
                f"{url}/import", files={"files": ("b.xlsx", dimension_bomb(False))})),
            ("200 MB shared string in a small .xlsx", lambda: clerk.post(
                f"{url}/import", files={"files": ("s.xlsx", string_bomb)})),
            ("1,000,000 idle_workers keys (14 MB JSON)", lambda: clerk.put(
                url, content=many_keys, headers={"Content-Type": "application/json"})),
            ("2,001 orders", lambda: clerk.put(url, json={"orders": [order] * 2001})),
            ("quantity 10^30", lambda: clerk.put(url, json={"orders": [{**order, "quantity": 10**30}]})),
            ("value per unit 1e308", lambda: clerk.put(url, json={"orders": [{**order, "value_per_unit": 1e308}]})),
            ("clerk POST /solve", lambda: clerk.post("/api/v1/solve", json={"scenario": {}})),
        ]
        print(f"{'probe':45} status   time_ms  peak_MB")
        for name, probe in probes:
            tracemalloc.start()
            t0 = time.perf_counter()
            r = probe()
            elapsed = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"{name:45} {r.status_code:6} {1000 * elapsed:9.1f} {peak:8.1f}")
    finally:
        client.__exit__(None, None, None)


if __name__ == "__main__":
    main()
