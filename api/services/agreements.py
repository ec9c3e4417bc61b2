"""Agreements for confirmed items, Chinese first: 帮工协议 for a loan, 委托加工协议 for a sub-contract.

Each agreement is one list of clauses (Chinese and English text side by
side), rendered as HTML (``templates/agreement.html``, autoescaped) and as
plain text from the same clauses, so the two never say different things.

The worker-lending terms follow the rules for shared employment (共享用工):
the workers consent, the labour contract stays with the lending firm, the
borrowing firm reimburses the wage at cost (worker-days x the lender's daily
wage, no mark-up), work-injury insurance (工伤保险) stays with the lender,
and the borrower provides safety training and protective equipment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import object_session

from api.catalogue import Catalogue, load, seed_catalogue
from api.errors import Conflict
from api.models import Enterprise, ItemKind, ItemStatus, PlanningRound, ProposalItem
from api.text.dates import day_text, days_text, en_date, zh_date

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class Clause:
    title_zh: str
    title_en: str
    zh: str
    en: str


@dataclass(frozen=True)
class Agreement:
    title_zh: str
    title_en: str
    number: str
    parties: list[tuple[str, str, Enterprise]]  # (role zh, role en, firm)
    clauses: list[Clause]
    alliance: str
    round_name: str
    signed_on: dt.date


def _dates(rnd: PlanningRound, days: list[int], lang: str = "zh") -> str:
    # The year once, then the days as short dates: "2026年：12月3日至12月5日、12月8日".
    year = (rnd.start_date + dt.timedelta(days=min(days))).year if days else rnd.start_date.year
    text = days_text(rnd.start_date, days, lang)
    return f"{year}年 {text}" if lang == "zh" else f"{text} {year}"


def _per_day(rnd: PlanningRound, rows: list[dict[str, Any]], key: str, unit_zh: str, lang: str) -> str:
    if lang == "zh":
        return "；".join(f"{day_text(rnd.start_date, r['day'], 'zh', short=True)} {r[key]} {unit_zh}" for r in rows)
    return "; ".join(f"{day_text(rnd.start_date, r['day'], 'en', short=True)}: {r[key]}" for r in rows)


def _money(value: Any) -> str:
    return f"{float(value):,.2f}"


def _loan_clauses(item: ProposalItem, rnd: PlanningRound, cat: Catalogue) -> list[Clause]:
    t = item.terms
    lender, borrower = item.first_party, item.second_party
    hours = float(t["workday_minutes"]) / 60
    per_day = _per_day(rnd, item.rows, "workers", "人", "zh")
    per_day_en = _per_day(rnd, item.rows, "workers", "", "en")
    skill_zh, skill_en = cat.zh("skill", item.skill), cat.en("skill", item.skill)
    return [
        Clause("帮工内容", "Lending",
               f"甲方（出借方）{lender.name}向乙方（借入方）{borrower.name}出借{skill_zh}岗位工人，"
               f"最多 {t['headcount']} 人，共 {t['worker_days']} 人·天（{per_day}）。",
               f"Party A ({lender.name}) lends Party B ({borrower.name}) workers for the post '{skill_en}', "
               f"at most {t['headcount']} at a time, {t['worker_days']} worker-days in all ({per_day_en})."),
        Clause("期限", "Period", f"帮工日期：{_dates(rnd, t['days'])}。",
               f"Days of work: {_dates(rnd, t['days'], 'en')}."),
        Clause("岗位与工时", "Post and hours", f"岗位：{skill_zh}。每日工作时间 {hours:g} 小时"
               f"（{t['workday_minutes']:g} 分钟），不安排超时加班。",
               f"Post: {skill_en}. Working time {hours:g} hours ({t['workday_minutes']:g} minutes) a day; "
               "no overtime is arranged."),
        Clause("劳动关系", "Labour contract", "被出借工人与甲方的劳动合同关系不变，由甲方继续发放工资、缴纳社会保险。",
               "The workers' labour contracts stay with Party A, which keeps paying their wages and social "
               "insurance."),
        Clause("工资结算", "Wage reimbursement", f"乙方按成本向甲方偿付工资：{t['worker_days']} 人·天 × "
               f"{_money(t['wage_per_day'])} 元/人·天 = {_money(t['wage_reimbursed'])} 元，不加价、不收取管理费。",
               f"Party B reimburses Party A the wage at cost: {t['worker_days']} worker-days x "
               f"{_money(t['wage_per_day'])} yuan = {_money(t['wage_reimbursed'])} yuan, with no mark-up or fee."),
        Clause("通勤", "Commute",
               f"两厂相距约 {float(t['distance_km']):.1f} 公里，通勤费用估算 {_money(t['commute_cost'])} 元，"
               "由乙方承担，不计入工资偿付。",
               f"The sites are about {float(t['distance_km']):.1f} km apart; the commute, estimated at "
               f"{_money(t['commute_cost'])} yuan, is borne by Party B and is not part of the wage reimbursement."),
        Clause("保险与安全", "Insurance and safety",
               "工伤保险责任仍由甲方承担；乙方负责岗前安全培训，提供必要的劳动防护用品，并保障安全生产条件。",
               "Work-injury insurance (工伤保险) stays with Party A; Party B gives safety training before work, "
               "provides protective equipment and keeps the workplace safe."),
        Clause("工人同意", "Worker consent", "本次帮工以工人本人自愿同意为前提，工人可随时拒绝，甲方不得因此对其不利。",
               "Lending requires each worker's own consent; a worker may refuse, and Party A must not hold it "
               "against them."),
    ]


def _subcontract_clauses(item: ProposalItem, rnd: PlanningRound, cat: Catalogue) -> list[Clause]:
    t = item.terms
    owner, site = item.first_party, item.second_party
    per_day = _per_day(rnd, item.rows, "quantity", "件", "zh")
    per_day_en = _per_day(rnd, item.rows, "quantity", "", "en")
    due = rnd.start_date + dt.timedelta(days=int(t["due_day"]))
    ship_by = rnd.start_date + dt.timedelta(days=int(t["ship_by_day"]))
    return [
        Clause("加工内容", "Work", f"甲方（委托方）{owner.name}委托乙方（加工方）{site.name}加工订单 {item.order_id}"
               f"（工序：{cat.zh('process', t['process'])}），共 {t['units']} 件（{per_day}）。",
               f"Party A ({owner.name}) orders from Party B ({site.name}) {t['units']} units of order "
               f"{item.order_id} (process: {cat.en('process', t['process'])}) ({per_day_en})."),
        Clause("生产日期", "Production days", f"乙方在以下日期生产：{_dates(rnd, t['days'])}。",
               f"Party B produces on: {_dates(rnd, t['days'], 'en')}."),
        Clause("交付", "Delivery", f"乙方最迟于 {zh_date(ship_by)}完成并发运，运输 {t['transport_days']} 天，"
               f"于交期 {zh_date(due)}前送达甲方。",
               f"Party B finishes and ships by {en_date(ship_by)}; transport takes {t['transport_days']} day(s); "
               f"the goods reach Party A by the due date {en_date(due)}."),
        Clause("质量", "Quality", f"产品须达到质量等级 {t['min_quality_level']} 及以上，按甲方订单的工艺要求验收。",
               f"Goods meet quality level {t['min_quality_level']} or better and are accepted against Party A's "
               "order specification."),
        Clause("价格与结算", "Price and settlement", f"单价 {_money(t['value_per_unit'])} 元/件，合计 "
               f"{_money(t['settlement_value'])} 元，验收合格后结算。",
               f"Price {_money(t['value_per_unit'])} yuan per unit, {_money(t['settlement_value'])} yuan in all, "
               "settled after acceptance."),
        Clause("运输", "Transport",
               f"两厂相距约 {float(t['distance_km']):.1f} 公里，运费估算 {_money(t['transport_cost'])} 元，"
               "由甲方承担，不计入加工款。",
               f"The sites are about {float(t['distance_km']):.1f} km apart; transport, estimated at "
               f"{_money(t['transport_cost'])} yuan, is borne by Party A and is not part of the price."),
    ]


def build(item: ProposalItem, catalogue: Catalogue | None = None) -> Agreement:
    if item.status != ItemStatus.CONFIRMED:
        raise Conflict(f"条目 {item.id} 尚未由双方确认，不能生成协议 / item {item.id} is not "
                       "confirmed "
                       f"by both parties ({item.status}); no agreement yet")
    rnd = item.proposal.round
    if catalogue is None:
        session = object_session(item)
        catalogue = load(session) if session is not None else seed_catalogue()
    if item.kind == ItemKind.LOAN:
        title = ("帮工协议", "Worker-lending agreement (shared employment)")
        parties = [("甲方（出借方）", "Party A (lender)", item.first_party),
                   ("乙方（借入方）", "Party B (borrower)", item.second_party)]
        clauses = _loan_clauses(item, rnd, catalogue)
    else:
        title = ("委托加工协议", "Processing agreement")
        parties = [("甲方（委托方）", "Party A (ordering firm)", item.first_party),
                   ("乙方（加工方）", "Party B (producing firm)", item.second_party)]
        clauses = _subcontract_clauses(item, rnd, catalogue)
    decided = item.decided_at.date() if item.decided_at else dt.date.today()
    return Agreement(title[0], title[1], f"R{rnd.id}-P{item.proposal.version}-I{item.id}", parties, clauses,
                     rnd.alliance.name, rnd.name, decided)


def render_html(agreement: Agreement) -> str:
    return _env.get_template("agreement.html").render(a=agreement)


def render_text(agreement: Agreement) -> str:
    lines = [f"{agreement.title_zh} / {agreement.title_en}", f"编号 No.: {agreement.number}",
             f"联盟 Alliance: {agreement.alliance}    轮次 Round: {agreement.round_name}", ""]
    for role_zh, role_en, firm in agreement.parties:
        lines.append(f"{role_zh} / {role_en}: {firm.name}  统一社会信用代码 credit code {firm.credit_code}")
    lines.append("")
    for n, clause in enumerate(agreement.clauses, start=1):
        lines += [f"{n}. {clause.title_zh} / {clause.title_en}", f"   {clause.zh}", f"   {clause.en}", ""]
    lines.append(f"双方已在系统中确认（{agreement.signed_on.isoformat()}）/ Both parties confirmed in the system on "
                 f"{agreement.signed_on.isoformat()}.")
    lines += ["", "甲方签章 / Party A: ____________        乙方签章 / Party B: ____________", ""]
    return "\n".join(lines)
