"""``alliance demo --county`` runs the whole county story and says so in Chinese (short solves)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from api.cli import app


def test_county_demo_runs_end_to_end() -> None:
    result = CliRunner().invoke(app, ["demo", "--county", "--time-limit", "1"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    out = result.output
    park_line = r"【(.+?)】(\d+) 家企业：方案 (\d+) 个条目.*?提交上级：(\d+) 个订单的未满足部分、(\d+) 家企业"
    parks = re.findall(park_line, out)
    assert [(name, int(n)) for name, n, *_ in parks] == [("龙浔园区联合党支部", 24), ("浔中园区联合党支部", 36),
                                                         ("三班园区联合党支部", 48)]
    assert all(int(orders) > 0 for *_, orders, _ in parks)
    assert "撤回了自己的未用产能" in out
    county = re.search(r"方案 (\d+) 个条目，其中跨园区 (\d+) 个.*生成协议 (\d+) 份", out)
    assert county is not None, out
    items, cross, agreements = map(int, county.groups())
    assert cross > 0 and agreements == items
