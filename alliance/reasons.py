"""Why an order stays unmet, in terms a coordinator can act on, and what would unlock it (issue 11, item 4).

:class:`alliance.report.UnmetReason` names the rule family; this module says which rule bound, with the firms,
days, distances and money involved, computed from the scenario's rules and the plan's own use of capacity (no
solver): the nearest firm that has the process but lies beyond the radius (and the radius that would reach it),
the window that is too short and by how many days, the firm and days where one more lendable worker of the skill
would make units and how much they would earn, the orders that hold the labour or machine hours at the eligible
sites, or the link cost that the remaining units do not cover.

The unlocks are checked against the same capacity arithmetic the report uses: "one more worker at F on day D"
is only offered where F may make the order on D and has the machine hours for at least one more unit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from alliance.plan import LoanRow, ProductionRow
from alliance.scenario import Order, Scenario

_TOL = 1e-6


def _text(rule: str, zh: str, en: str, unlock_zh: str, unlock_en: str, **facts: Any) -> dict[str, Any]:
    return {"rule": rule, "zh": zh, "en": en, "unlock_zh": unlock_zh, "unlock_en": unlock_en, **facts}


def explain(s: Scenario, o: Order, left: int, room: Any, production: list[ProductionRow],
            loans: list[LoanRow]) -> dict[str, Any]:
    """The actionable reason for order ``o`` with ``left`` units unmet; ``room`` is the report's ``_Room``."""
    pol = s.policy
    firms = [e.id for e in s.enterprises]
    sites = room.windows(o)
    if not sites:
        return _no_site(s, o)
    open_sites = [(g, days) for g, days in sites if days]
    if not open_sites:
        need = o.release_day + pol.transport_days - o.due_day
        return _text("window", f"投产日到交期太短：外协企业需在交期前 {pol.transport_days} 天完工运回，"
                               "留给外协的生产日为 0 天",
                     f"release to due is too short: a site must finish {pol.transport_days} day(s) before the due "
                     f"day to ship back, which leaves no production day",
                     f"交期推迟 {need} 天（或提前投产）即可外协", f"a due day {need} day(s) later (or an earlier "
                     f"release) makes sub-contracting possible", days_short=need)
    k = room.sk[o.skill]
    workday = pol.workday_minutes
    per_worker = max(0, math.floor(workday / o.labor_minutes_per_unit + _TOL))
    margin_at = {g: o.value_per_unit - (0.0 if firms[g] == o.owner
                                        else s.transport_rate(o) * s.distance(o.owner, firms[g]))
                 for g, _ in open_sites}
    # Who holds the labour and machine hours at the eligible sites on the allowed days.
    holders: dict[str, int] = defaultdict(int)
    windows = {g: set(days) for g, days in open_sites}
    orders = {x.id: x for x in s.orders}
    for r in production:
        other = orders[r.order]
        g = room.idx[r.site]
        if other.id == o.id or g not in windows or r.day not in windows[g]:
            continue
        if other.skill == o.skill or (o.machine is not None and other.machine == o.machine):
            holders[other.id] += r.quantity
    ranked = sorted(holders, key=lambda oid: (-orders[oid].value_per_unit * holders[oid], oid))[:3]
    linked = _linked(s, production, loans)
    # One more worker: where and when it would make units, machine hours permitting.
    best: tuple[float, int, list[int], int] | None = None
    for g, days in open_sites:
        useful = []
        units = 0
        for t in days:
            n = per_worker
            if o.machine is not None and o.machine_hours_per_unit > 0:
                hours = room.free_hours[g, room.mk[o.machine], t]
                n = min(n, math.floor(hours / o.machine_hours_per_unit + _TOL))
            if n >= 1:
                useful.append(t)
                units += n
        units = min(units, left)
        # A firm the owner is not linked with yet costs the link as well.
        link = 0.0 if firms[g] == o.owner or frozenset((o.owner, firms[g])) in linked else pol.link_cost
        if units >= 1 and margin_at[g] > 0 and units * margin_at[g] > link:
            gain = units * margin_at[g] - link
            if best is None or gain > best[0]:
                best = (gain, g, useful, units)
    no_labour = all(room.caps.idle[g, k, t] <= 0 and room.raw_lendable_in_reach[g, k, t] <= 0
                    for g, days in open_sites for t in days)
    spare = {g: room.spare_units(o, g, days) for g, days in open_sites}
    unlock_zh, unlock_en, facts = "", "", {}
    if best is not None:
        gain, g, useful, units = best
        shown = "、".join(_day(s, t) for t in useful[:4]) + ("等" if len(useful) > 4 else "")
        shown_en = ", ".join(_day(s, t, en=True) for t in useful[:4]) + (" ..." if len(useful) > 4 else "")
        unlock_zh = (f"{firms[g]} 在 {shown} 每天多 1 名可用的 {o.skill} 工人，可多做 {units} 件，约 ¥{gain:,.0f}")
        unlock_en = (f"one more available {o.skill} worker at {firms[g]} on {shown_en} makes {units} more units, "
                     f"about ¥{gain:,.0f}")
        facts = {"firm": firms[g], "skill": o.skill, "days": useful, "units": units, "gain": round(gain, 2)}
    owner = room.idx[o.owner]
    if s.below_floor(o.owner) and any(g == owner for g, _ in open_sites):
        lenders = sorted(e.id for j, e in enumerate(s.enterprises)
                         if e.id != o.owner and room.caps.lendable[j, k].sum() > 0
                         and s.distance(e.id, o.owner) <= pol.lend_radius_km and not s.blocked(e.id, o.owner)
                         and s.enterprise(o.owner).borrows_workers)
        if lenders:
            rel = s.enterprise(o.owner).reliability or 0.0
            return _text("reliability", f"{o.owner} 履约可靠度 {rel:.0%} 低于本轮下限 {pol.reliability_floor:.0%}，"
                                        f"不能借入 {'、'.join(lenders)} 的 {o.skill} 工人",
                         f"{o.owner}'s reliability of {rel:.0%} is below the round's floor of "
                         f"{pol.reliability_floor:.0%}, so it may not borrow {o.skill} workers from "
                         f"{', '.join(lenders)}", f"可靠度下限降到 {rel:.0%} 以下",
                         f"a reliability floor below {rel:.0%}",
                         firms=[o.owner], lenders=lenders, reliability_floor=pol.reliability_floor, firm=o.owner)
    if no_labour:
        return _text("no_labour", f"可承接企业及可借工范围内在允许的生产日都没有 {o.skill} 工人",
                     f"no {o.skill} worker at the eligible sites or within lending reach on the allowed days",
                     unlock_zh, unlock_en, **facts)
    if o.machine is not None and o.machine_hours_per_unit > 0 and all(
            room.free_hours[g, room.mk[o.machine], t] < o.machine_hours_per_unit - _TOL
            for g, days in open_sites for t in days):
        names = "、".join(ranked) or "—"
        return _text("machine", f"可承接企业的 {o.machine} 机时已被订单 {names} 用完",
                     f"the {o.machine} hours at the eligible sites went to orders {', '.join(ranked) or '-'}",
                     f"多一些 {o.machine} 机时（每件 {o.machine_hours_per_unit:g} 小时）",
                     f"more {o.machine} hours ({o.machine_hours_per_unit:g} h per unit)", competitors=ranked)
    # Rules 7 and 8: room left at a firm the order does not use yet, but the lot or the split limit forbids it.
    used = {r.site for r in production if r.order == o.id and r.site != o.owner}
    unused_room = {firms[g]: n for g, n in spare.items() if n >= 1 and firms[g] != o.owner and firms[g] not in used}
    if unused_room and len(used) >= pol.max_subcontractors_per_order:
        cap = pol.max_subcontractors_per_order
        where = "、".join(sorted(unused_room))
        return _text("splits", f"已用满每张订单 {cap} 家外协企业的上限；{where} 还有空余产能",
                     f"the order already uses the limit of {cap} sub-contractors; {', '.join(sorted(unused_room))} "
                     f"still have room", f"外协家数上限放宽到 {cap + 1} 家", f"a limit of {cap + 1} sub-contractors",
                     max_subcontractors=cap, firms=sorted(unused_room))
    lot = min(o.min_lot, o.quantity)
    if unused_room and lot > 1 and all(n < lot for n in unused_room.values()):
        firm, n = max(unused_room.items(), key=lambda kv: (kv[1], kv[0]))
        return _text("lot", f"{firm} 只剩 {n} 件的产能，低于最小批量 {lot} 件", f"{firm} has room for {n} units only, "
                     f"below the minimum lot of {lot}", f"最小批量降到 {n} 件", f"a minimum lot of {n} units",
                     firm=firm, min_lot=lot, room=n)
    # Room left at a firm the owner is not linked with, but not worth the link.
    pol_link = pol.link_cost
    for g, units in sorted(spare.items(), key=lambda kv: -kv[1]):
        if units <= 0 or firms[g] == o.owner or frozenset((o.owner, firms[g])) in linked or pol_link <= 0:
            continue
        worth = min(units, left) * margin_at[g]
        if worth <= pol_link + _TOL:
            return _text("link_cost", f"{firms[g]} 还能做 {min(units, left)} 件，只值 ¥{worth:,.0f}，"
                                      f"不抵结对成本 ¥{pol_link:,.0f}",
                         f"{firms[g]} could make {min(units, left)} more units worth only ¥{worth:,.0f}, less than "
                         f"the link cost of ¥{pol_link:,.0f}",
                         f"与已结对的企业合作，或结对成本低于 ¥{worth:,.0f}",
                         f"work with a firm already linked, or a link cost below ¥{worth:,.0f}",
                         firm=firms[g], link_cost=pol_link, worth=round(worth, 2))
    if ranked:
        higher = [oid for oid in ranked if orders[oid].value_per_unit / orders[oid].labor_minutes_per_unit
                  >= o.value_per_unit / o.labor_minutes_per_unit - _TOL]
        names = "、".join(higher or ranked)
        zh = (f"可承接企业的人手已安排给每工时更值钱的订单 {names}" if higher
              else f"可承接企业的人手已安排给订单 {names}（合起来更值钱）")
        en = (f"the eligible sites' labour went to orders worth more per labour minute: {', '.join(higher)}" if higher
              else f"the eligible sites' labour went to orders {', '.join(ranked)} (worth more together)")
        return _text("capacity", zh, en, unlock_zh, unlock_en, competitors=higher or ranked, **facts)
    return _text("capacity", "可承接企业在允许的生产日人手不足", "the eligible sites lack hands on the allowed days",
                 unlock_zh, unlock_en, **facts)


def _no_site(s: Scenario, o: Order) -> dict[str, Any]:
    pol = s.policy
    runs = [e for e in s.enterprises if e.id != o.owner and o.process in e.processes]
    if not o.subcontractable:
        return _text("not_subcontractable", "本厂无此工序，且订单标为不可外发", "the owner lacks the process and the "
                     "order may not be sub-contracted", "允许外发此订单", "allow sub-contracting the order")
    if not runs:
        return _text("no_process", f"联盟内没有其他企业有工序 {o.process}", f"no other member runs {o.process}",
                     f"吸收有 {o.process} 工序的企业入盟", f"a member that runs {o.process}")
    good = [e for e in runs if e.quality_level >= o.min_quality_level and e.accepts_subcontracts
            and o.owner not in e.blocked_partners and e.id not in s.enterprise(o.owner).blocked_partners]
    if not good:
        best = max(runs, key=lambda e: e.quality_level)
        return _text("quality", f"有工序 {o.process} 的企业质量等级最高为 {best.quality_level}，"
                                f"低于要求的 {o.min_quality_level}",
                     f"firms running {o.process} reach quality level {best.quality_level} at most, below the "
                     f"required {o.min_quality_level}", f"{best.id} 质量等级提升到 {o.min_quality_level}",
                     f"{best.id} at quality level {o.min_quality_level}", firm=best.id)
    in_reach = [e for e in good if s.distance(o.owner, e.id) <= pol.subcontract_radius_km]
    if in_reach and all(s.below_floor(e.id) for e in in_reach):
        return _below_floor(s, o, in_reach)
    nearest = min(good, key=lambda e: (s.distance(o.owner, e.id), e.id))
    km = s.distance(o.owner, nearest.id)
    reach = math.ceil(km * 10) / 10  # the radius, rounded up to 100 m, that includes it
    return _text("radius", f"外协半径 {pol.subcontract_radius_km:g} km 内没有符合质量等级 {o.min_quality_level} "
                           f"且有工序 {o.process} 的企业；最近的是 {nearest.id}（{km:.1f} km）",
                 f"no firm within the {pol.subcontract_radius_km:g} km radius runs {o.process} at quality level "
                 f"{o.min_quality_level}; the nearest is {nearest.id} ({km:.1f} km)",
                 f"外协半径放宽到 {reach:.1f} km，可由 {nearest.id} 承接",
                 f"a radius of {reach:.1f} km lets {nearest.id} take it", firm=nearest.id, radius_km=reach)


def _below_floor(s: Scenario, o: Order, in_reach: list[Any]) -> dict[str, Any]:
    """Every firm in reach that could make the order is below the round's reliability floor (issue 14)."""
    floor = s.policy.reliability_floor
    best = max(in_reach, key=lambda e: (e.reliability, e.id))
    listed = sorted(in_reach, key=lambda e: e.id)
    zh = "、".join(f"{e.id}（{e.reliability:.0%}）" for e in listed)
    en = ", ".join(f"{e.id} ({e.reliability:.0%})" for e in listed)
    return _text("reliability", f"外协半径内能承接的企业 {zh} 履约可靠度低于本轮下限 {floor:.0%}",
                 f"the firms in reach that could make it, {en}, are below the round's reliability floor of "
                 f"{floor:.0%}", f"可靠度下限降到 {best.reliability:.0%} 以下，可由 {best.id} 承接",
                 f"a reliability floor below {best.reliability:.0%} lets {best.id} take it",
                 firms=[e.id for e in listed], reliability_floor=floor, firm=best.id)


def _linked(s: Scenario, production: list[ProductionRow], loans: list[LoanRow]) -> set[frozenset[str]]:
    pairs = {frozenset((s.order(r.order).owner, r.site)) for r in production if r.site != s.order(r.order).owner}
    return pairs | {frozenset((r.lender, r.borrower)) for r in loans}


def _day(s: Scenario, t: int, en: bool = False) -> str:
    if s.start_date is not None:
        from datetime import timedelta

        d = s.start_date + timedelta(days=t)
        return d.strftime("%d %b") if en else f"{d.month}月{d.day}日"
    return f"day {t}" if en else f"第{t + 1}天"
