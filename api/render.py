"""Terminal rendering of a plan report (rich tables), Chinese by default, English on request.

Lives with the CLI, not in ``alliance/``: the domain builds the report, interfaces decide how to show it.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from alliance.report import Lang
from api.catalogue import Catalogue, seed_catalogue

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("联盟撮合方案", "Alliance matching plan"),
    "status": ("求解状态", "Status"),
    "objective": ("目标值（元）", "Objective (yuan)"),
    "bound": ("上界（元）", "Bound (yuan)"),
    "gap": ("相对差距", "Gap"),
    "figures": ("关键指标：撮合前 / 撮合后", "Key figures: before / after"),
    "before": ("撮合前", "Before"),
    "after": ("撮合后", "After"),
    "value_row": ("货值：积压 / 按期完成", "Value: backlog / cleared"),
    "units_row": ("件数：积压 / 完成", "Units: backlog / cleared"),
    "orders_row": ("订单：积压 / 全部完成", "Orders: backlog / fully cleared"),
    "idle_row": ("闲置人天：可用 / 投入生产", "Idle worker-days: available / put to work"),
    "lent": ("出借人天", "Worker-days lent"),
    "pairs": ("对接企业对数", "Linked firm pairs"),
    "breakdown": ("目标值构成", "Objective breakdown"),
    "value": ("货值", "Value"),
    "transport": ("运输费", "Transport"),
    "commute": ("通勤费", "Commute"),
    "link": ("对接成本", "Link cost"),
    "manual": ("与人工就近撮合相比", "Against nearest-first matching by hand"),
    "manual_value": ("人工撮合完成货值", "Manual value cleared"),
    "manual_objective": ("人工撮合目标值", "Manual objective"),
    "improvement": ("本方案提升", "Improvement"),
    "subcontracts": ("二次发单", "Sub-contracts"),
    "loans": ("共享用工（帮工）", "Worker loans"),
    "unmet": ("未完成订单", "Unmet orders"),
    "order": ("订单", "Order"),
    "owner": ("发单企业", "Owner"),
    "site": ("承接企业", "Site"),
    "units": ("件数", "Units"),
    "days": ("日期：件数", "Date: units"),
    "loan_days": ("日期：人数", "Date: workers"),
    "km": ("距离 km", "km"),
    "transport_cost": ("运输费", "Transport"),
    "settlement": ("结算额", "Settlement"),
    "skill": ("工种", "Skill"),
    "lender": ("出借企业", "Lender"),
    "borrower": ("借用企业", "Borrower"),
    "worker_days": ("人天", "Worker-days"),
    "wage": ("工资", "Wages"),
    "unmet_units": ("未完成件数", "Unmet units"),
    "unmet_value": ("未完成货值", "Unmet value"),
    "reason": ("原因", "Reason"),
    "checks_ok": ("校验通过：方案满足全部 9 条规则", "Check passed: the plan obeys all 9 rules"),
    "checks_bad": ("校验未通过", "Check failed"),
    "recomputed": ("按明细重算目标值", "Objective recomputed from the rows"),
    "more": ("另有 {n} 条未列出，加 --all 显示全部，或用 --output 写出的方案文件查看",
             "{n} more not shown; add --all to list every row, or read the plan file written by --output"),
    "none": ("无", "none"),
    "sep": ("；", "; "),
}


STATUS: dict[str, tuple[str, str]] = {
    "OPTIMAL": ("已证明最优", "proven optimal"),
    "FEASIBLE": ("可行方案（未证明最优）", "feasible (not proven optimal)"),
    "INFEASIBLE": ("无可行方案", "infeasible"),
    "UNKNOWN": ("时限内未找到方案", "no plan within the time limit"),
}


def status_text(status: str, lang: Lang) -> str:
    zh, en = STATUS.get(str(status), (str(status), str(status)))
    return zh if lang == "zh" else en


def _firm(code: str, name: str | None) -> str:
    return f"{code} {name}" if name and name != code else code


def _t(key: str, lang: Lang) -> str:
    zh, en = _LABELS[key]
    return zh if lang == "zh" else en


def _money(x: float | None) -> str:
    return "—" if x is None else f"{x + 0.0:,.2f}"  # + 0.0: no "-0.00"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


def _day(d: dict[str, Any], lang: Lang) -> str:
    """A day as a date ("12-03"), or counted from 1 ("第1天") when the scenario has no start date."""
    if d.get("date"):
        _, month, day = (int(x) for x in str(d["date"]).split("-"))
        return f"{month}月{day}日" if lang == "zh" else f"{day} {_MONTHS[month - 1]}"
    return f"第{d['day'] + 1}天" if lang == "zh" else f"day {d['day'] + 1}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _days_text(days: list[dict[str, Any]], key: str, lang: Lang = "zh") -> str:
    sep = "，" if lang == "zh" else ", "
    return sep.join(f"{_day(d, lang)}：{d[key]}" if lang == "zh" else f"{_day(d, lang)}: {d[key]}" for d in days)


def render_summary(report: dict[str, Any], lang: Lang = "zh", *, max_rows: int | None = 15,
                   catalogue: Catalogue | None = None) -> RenderableType:
    """A readable summary of a report (as :func:`build_report` returns it) for a terminal, Chinese by default.

    ``max_rows=None`` lists every row; skills are shown by their catalogue names (the seed names by default).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    cat = catalogue or seed_catalogue()
    fig = report["figures"]
    before, after, obj = fig["before"], fig["after"], fig["objective"]
    parts: list[RenderableType] = []

    parts.append(Text(f"{_t('title', lang)} · {report['alliance_name']}", style="bold"))
    head = Table(show_header=False)
    head.add_column(style="bold")
    head.add_column(justify="right")
    head.add_row(_t("status", lang), status_text(report["status"], lang))
    head.add_row(_t("objective", lang), _money(report["objective"]))
    head.add_row(_t("bound", lang), _money(report["bound"]))
    head.add_row(_t("gap", lang), _pct(report["gap"]))
    parts.append(head)

    figs = Table(title=_t("figures", lang), title_justify="left")
    figs.add_column("")
    figs.add_column(_t("before", lang), justify="right")
    figs.add_column(_t("after", lang), justify="right")
    figs.add_row(_t("value_row", lang), _money(before["backlog_value"]),
                 f"{_money(after['value_cleared'])} ({_pct(after['share_cleared'])})")
    figs.add_row(_t("units_row", lang), f"{before['backlog_units']:,}", f"{after['units_cleared']:,}")
    figs.add_row(_t("orders_row", lang), f"{before['orders']:,}", f"{after['orders_fully_cleared']:,}")
    figs.add_row(_t("idle_row", lang), f"{before['idle_worker_days']:,.0f}", f"{after['idle_worker_days_used']:,.1f}")
    figs.add_row(_t("lent", lang), "", f"{after['worker_days_lent']:,}")
    figs.add_row(_t("pairs", lang), "", f"{after['linked_pairs']}")
    parts.append(figs)

    breakdown = Table(title=_t("breakdown", lang), show_header=False, title_justify="left")
    breakdown.add_column(style="bold")
    breakdown.add_column(justify="right")
    breakdown.add_row(_t("value", lang), _money(obj["value_delivered"]))
    breakdown.add_row(f"− {_t('transport', lang)}", _money(obj["transport_cost"]))
    breakdown.add_row(f"− {_t('commute', lang)}", _money(obj["commute_cost"]))
    breakdown.add_row(f"− {_t('link', lang)}", _money(obj["link_cost"]))
    breakdown.add_row(f"= {_t('objective', lang)}", _money(obj["total"]))
    parts.append(breakdown)

    base = report["manual_baseline"]
    manual = Table(title=_t("manual", lang), show_header=False, title_justify="left")
    manual.add_column(style="bold")
    manual.add_column(justify="right")
    manual.add_row(_t("manual_value", lang), f"{_money(base['value_cleared'])} ({_pct(base['share_cleared'])})")
    manual.add_row(_t("manual_objective", lang), _money(base["objective"]))
    manual.add_row(_t("improvement", lang),
                   f"{_money(base['objective_improvement'])} ({base['objective_improvement_pct']:+.2f}%)")
    parts.append(manual)

    def limited(table: Table, rows: list[list[str]]) -> Table:
        for row in rows if max_rows is None else rows[:max_rows]:
            table.add_row(*row)
        if max_rows is not None and len(rows) > max_rows:
            table.caption = _t("more", lang).format(n=len(rows) - max_rows)
        if not rows:
            table.caption = _t("none", lang)
        return table

    subs = Table(title=f"{_t('subcontracts', lang)} ({len(report['subcontracts'])})", title_justify="left")
    for key in ("order", "owner", "site", "units", "days", "km", "transport_cost", "settlement"):
        subs.add_column(_t(key, lang), justify="right" if key in ("units", "km", "transport_cost", "settlement")
                        else "left")
    parts.append(limited(subs, [
        [sc["order"], _firm(sc["owner"], sc.get("owner_name")), _firm(sc["site"], sc.get("site_name")),
         f"{sc['units']:,}", _days_text(sc["days"], "units", lang),
         f"{sc['distance_km']:.2f}", _money(sc["transport_cost"]), _money(sc["settlement_value"])]
        for sc in report["subcontracts"]
    ]))

    loans = Table(title=f"{_t('loans', lang)} ({len(report['loans'])})", title_justify="left")
    for key in ("skill", "lender", "borrower", "loan_days", "worker_days", "km", "commute", "wage"):
        loans.add_column(_t(key, lang), justify="right" if key in ("worker_days", "km", "commute", "wage")
                         else "left")
    parts.append(limited(loans, [
        [cat.name("skill", ln["skill"], lang), _firm(ln["lender"], ln.get("lender_name")),
         _firm(ln["borrower"], ln.get("borrower_name")), _days_text(ln["days"], "workers", lang),
         f"{ln['worker_days']}",
         f"{ln['distance_km']:.2f}", _money(ln["commute_cost"]), _money(ln["wage_reimbursed"])]
        for ln in report["loans"]
    ]))

    unmet = Table(title=f"{_t('unmet', lang)} ({len(report['unmet'])})", title_justify="left")
    for key in ("order", "owner", "unmet_units", "unmet_value", "reason"):
        # CJK text has no spaces to wrap at: fold it rather than cut it off.
        unmet.add_column(_t(key, lang), justify="right" if key in ("unmet_units", "unmet_value") else "left",
                         overflow="fold")
    parts.append(limited(unmet, [
        [u["order"], _firm(u["owner"], u.get("owner_name")), f"{u['unmet_units']:,} / {u['quantity']:,}",
         _money(u["unmet_value"]), cat.named_text(_unmet_reason(u, lang), lang)]
        for u in report["unmet"]
    ]))

    checks = report["checks"]
    recomputed = f"{_t('sep', lang)}{_t('recomputed', lang)} {_money(checks['objective'])}"
    if checks["ok"]:
        parts.append(Text(f"✓ {_t('checks_ok', lang)}{recomputed}", style="green"))
    else:
        lines = [f"✗ {_t('checks_bad', lang)}{recomputed}"]
        rule = "规则" if lang == "zh" else "rule"
        lines += [f"  {rule} {v['rule']}: {v['message']}" for v in checks["violations"]]
        parts.append(Text("\n".join(lines), style="red"))
    return Group(*parts)


def _unmet_reason(u: dict[str, Any], lang: str) -> str:
    """The rule that bound and what would unlock it (alliance/reasons.py), or the reason family for older reports."""
    action = u.get("action")
    if not action:
        return str(u["reason_zh"] if lang == "zh" else u["reason_en"])
    why, unlock = (action["zh"], action["unlock_zh"]) if lang == "zh" else (action["en"], action["unlock_en"])
    return f"{why}{'；' if lang == 'zh' else '; '}{unlock}" if unlock else str(why)
