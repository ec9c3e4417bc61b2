"""``alliance demo --county``: three park alliances and a county round fed by their escalations, end to end.

Everything goes through the service layer the API routes call (the same checks, audit and job runner), on a
fresh SQLite database in a temporary folder: the parks plan, their guides approve, the firms confirm; each park
escalates what its plan left to the county round (which starts two days later: days map by calendar date);
one firm withdraws an offer; the county plans, its guide approves, the firms of different parks confirm, and
the agreements are drawn up.  It prints what happened, in Chinese first.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alliance.generator import generate_alliance
from alliance.scenario import Scenario
from api import queries
from api.county import queries as cq
from api.county import service as county
from api.county.scenario import county_data
from api.db import make_engine, make_session_factory, run_migrations
from api.models import Alliance, Answer, Decision, EntryKind, ItemKind, ItemStatus, PlanningRound, Proposal, Role, User
from api.schemas import AllianceCreate, EnterpriseCreate, JobCreate, PolicyIn, ReportIn, RoundCreate, UserCreate
from api.services import agreements, alliances, auth, planning, proposals, rounds
from api.services.jobs import JobRunner
from api.services.scenarios import order_ref
from api.services.seed import demo_credit_code
from api.settings import Settings

# (code, name, firms, seed, km east and north of the generator's park centre): 24-60 firms each.
PARKS = [("park-longxun", "龙浔园区联合党支部", 24, 11, 0.0, 0.0),
         ("park-xunzhong", "浔中园区联合党支部", 36, 12, 6.0, 0.0),
         ("park-sanban", "三班园区联合党支部", 48, 13, 0.0, 6.0)]
PARK_START = dt.date(2026, 12, 7)
COUNTY_START = PARK_START + dt.timedelta(days=2)
HORIZON = 14
KM_PER_DEG_LAT = 111.32


@dataclass
class ParkResult:
    alliance: Alliance
    round: PlanningRound
    firms: int
    items: int
    unmet_units: int
    offered_orders: int
    offered_capacity: int


class CountyDemo:
    def __init__(self, folder: Path, time_limit: float, say: Callable[[str], None]) -> None:
        self.say = say
        self.settings = Settings(database_url=f"sqlite:///{folder / 'county.db'}", seed_demo=False,
                                 solver_time_limit_s=time_limit, solver_max_time_limit_s=max(time_limit, 1.0),
                                 progress_interval_s=5.0)
        self.engine = make_engine(self.settings.database_url)
        run_migrations(self.engine)
        self.factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.runner = JobRunner(self.factory, self.settings)
        self.credit_index = 0
        self.time_limit = time_limit

    # ----- helpers ------------------------------------------------------------------------------------------

    def _user(self, session: Session, username: str, role: Role, **links: Any) -> User:
        existing = queries.get_user_by_username(session, username)
        if existing is not None:
            return existing
        return auth.create_user(session, None, UserCreate(username=username, password=f"{username}-demo",
                                                          role=role.value, **links))

    def _clerk(self, session: Session, enterprise_id: int) -> User:
        ent = queries.get_enterprise(session, enterprise_id)
        assert ent is not None
        return self._user(session, f"clerk-{ent.alliance.code}-{ent.code}".lower()[:64], Role.ENTERPRISE,
                          enterprise_id=ent.id)

    def _plan(self, round_id: int, coordinator_id: int, guide_id: int) -> int:
        """Job -> proposal -> submitted -> approved -> every party confirms; the proposal id."""
        with self.factory() as session:
            rnd, coord = session.get(PlanningRound, round_id), session.get(User, coordinator_id)
            assert rnd is not None and coord is not None
            job = planning.create_job(session, coord, rnd, JobCreate(time_limit_s=self.time_limit), self.settings,
                                      self.runner)
            session.commit()
            job_id = job.id
        self.runner.wait(job_id)
        with self.factory() as session:
            done = queries.get_job(session, job_id)
            coord, guide = session.get(User, coordinator_id), session.get(User, guide_id)
            assert done is not None and coord is not None and guide is not None
            if done.status != "succeeded":
                raise RuntimeError(f"planning job {job_id} ended {done.status}: {done.error}")
            proposal = proposals.create_proposal(session, coord, done)
            proposals.submit(session, coord, proposal)
            proposals.review(session, guide, proposal, Decision.APPROVE.value, "同意 / approved")
            for item in proposal.items:
                for party in (item.first_party_id, item.second_party_id):
                    if item.status == ItemStatus.PENDING:
                        proposals.respond(session, self._clerk(session, party), item, Answer.CONFIRM.value, None)
            session.commit()
            return proposal.id

    # ----- the story ----------------------------------------------------------------------------------------

    def park(self, session: Session, parent: Alliance, spec: tuple[str, str, int, int, float, float]) -> tuple[
            PlanningRound, User, User, Scenario]:
        code, name, n, seed, east, north = spec
        s = generate_alliance(n, seed=seed, tight=True, horizon_days=HORIZON, name=name)
        park = alliances.create_alliance(session, None, AllianceCreate(code=code, name=name))
        county.set_parent(session, self._user(session, "admin", Role.ADMIN), park, parent.id)
        lat_shift = north / KM_PER_DEG_LAT
        lon_shift = east / (KM_PER_DEG_LAT * 0.9027)  # cos(25.5 deg): km east -> degrees at Dehua's latitude
        firms = {}
        for ent in s.enterprises:
            self.credit_index += 1
            firms[ent.id] = alliances.create_enterprise(session, None, park, EnterpriseCreate(
                code=ent.id, credit_code=demo_credit_code(self.credit_index), name=f"{name[:4]}·{ent.name}",
                lat=round(ent.lat + lat_shift, 6), lon=round(ent.lon + lon_shift, 6),
                quality_level=ent.quality_level, processes=ent.processes, wage_per_day=ent.wage_per_day,
                accepts_subcontracts=ent.accepts_subcontracts, borrows_workers=ent.borrows_workers))
        coord = self._user(session, f"coord-{code}", Role.COORDINATOR, alliance_id=park.id)
        guide = self._user(session, f"guide-{code}", Role.GUIDE)
        alliances.assign_guide(session, None, park, guide.id)  # type: ignore[arg-type]
        rnd = rounds.create_round(session, coord, park, RoundCreate(
            name="十二月上半月 / first half of December", start_date=PARK_START, horizon_days=HORIZON,
            skills=s.skills, machines=s.machines, policy=PolicyIn(**s.policy.model_dump())))
        for ent in s.enterprises:
            rounds.submit_report(session, None, rnd, firms[ent.id], ReportIn(
                idle_workers=ent.idle_workers, lendable_workers=ent.lendable_workers,
                spare_machine_hours=ent.spare_machine_hours, blocked_partners=ent.blocked_partners,
                orders=[{**o.model_dump(exclude={"owner"}), "id": order_ref(ent.id, o.id)}
                        for o in s.orders if o.owner == ent.id]), source="seed")
        return rnd, coord, guide, s

    def run(self) -> int:
        say = self.say
        self.runner.start()
        try:
            with self.factory() as session:
                top = alliances.create_alliance(session, None, AllianceCreate(
                    code="dehua-county", name="德化县陶瓷产业链党建联盟"))
                ccoord = self._user(session, "coord-county", Role.COORDINATOR, alliance_id=top.id)
                cguide = self._user(session, "guide-county", Role.GUIDE)
                alliances.assign_guide(session, None, top, cguide.id)  # type: ignore[arg-type]
                parks = [self.park(session, top, spec) for spec in PARKS]
                policy = parks[0][3].policy.model_copy(update={"lend_radius_km": 10.0, "subcontract_radius_km": 30.0})
                crnd = rounds.create_round(session, ccoord, top, RoundCreate(
                    name="县级统筹（十二月）/ county round, December", start_date=COUNTY_START, horizon_days=HORIZON,
                    skills=parks[0][3].skills, machines=parks[0][3].machines, policy=PolicyIn(**policy.model_dump())))
                session.commit()
                county_round, ccoord_id, cguide_id = crnd.id, ccoord.id, cguide.id
                park_ids = [(r.id, c.id, g.id) for r, c, g, _ in parks]
            say(f"县级联盟「德化县陶瓷产业链党建联盟」下设 {len(PARKS)} 个园区联盟，共 "
                f"{sum(p[2] for p in PARKS)} 家企业 / a county alliance over {len(PARKS)} park alliances")

            results = []
            for (round_id, coord_id, guide_id), spec in zip(park_ids, PARKS, strict=True):
                proposal_id = self._plan(round_id, coord_id, guide_id)
                with self.factory() as session:
                    rnd, coord = session.get(PlanningRound, round_id), session.get(User, coord_id)
                    proposal = session.get(Proposal, proposal_id)
                    assert rnd is not None and coord is not None and proposal is not None
                    unmet = sum(u["unmet_units"] for u in proposal.summary.get("unmet") or [])
                    esc = county.escalate(session, coord, rnd, county_round)
                    orders = sum(1 for e in esc.entries if e.kind == EntryKind.ORDER)
                    results.append(ParkResult(rnd.alliance, rnd, spec[2], len(proposal.items), unmet, orders,
                                              len(esc.entries) - orders))
                    session.commit()
                r = results[-1]
                say(f"【{r.alliance.name}】{r.firms} 家企业：方案 {r.items} 个条目，指导员批准，企业全部确认；"
                    f"仍有 {r.unmet_units} 件未满足。提交上级：{r.offered_orders} 个订单的未满足部分、"
                    f"{r.offered_capacity} 家企业的未用产能 / park plan approved and confirmed; escalated "
                    f"{r.offered_orders} orders and the unused capacity of {r.offered_capacity} firms")

            with self.factory() as session:
                entries = [e for esc in cq.escalations_into(session, county_round) for e in esc.entries
                           if e.kind == EntryKind.CAPACITY]
                withdrawn = entries[-1]
                county.withdraw(session, self._clerk(session, withdrawn.enterprise_id), withdrawn)
                session.commit()
                say(f"企业「{withdrawn.enterprise.name}」在县级轮次关闭前撤回了自己的未用产能 / one firm withdrew "
                    "its offer before the county round closed")

            proposal_id = self._plan(county_round, ccoord_id, cguide_id)
            with self.factory() as session:
                proposal = session.get(Proposal, proposal_id)
                assert proposal is not None
                crnd_row = session.get(PlanningRound, county_round)
                assert crnd_row is not None
                _, left_out = county_data(session, crnd_row)
                items = proposal.items
                cross = [i for i in items if i.first_party.alliance_id != i.second_party.alliance_id]
                units = sum(int(i.terms.get("units", 0)) for i in items if i.kind == ItemKind.SUBCONTRACT)
                worker_days = sum(int(i.terms.get("worker_days", 0)) for i in items if i.kind == ItemKind.LOAN)
                docs = [agreements.build(i) for i in items if i.status == ItemStatus.CONFIRMED]
                say(f"县级轮次（{COUNTY_START} 起，比园区晚两天，按日历日期对应）：方案 {len(items)} 个条目，"
                    f"其中跨园区 {len(cross)} 个；外发 {units} 件、帮工 {worker_days} 人·天；"
                    f"县级指导员批准，相关企业全部确认，生成协议 {len(docs)} 份 / county plan: {len(items)} items, "
                    f"{len(cross)} across parks, {len(docs)} agreements")
                if left_out:
                    say(f"  {len(left_out)} 项上报未进入县级场景（如交期早于县级首日）/ entries left out of the county "
                        "scenario (e.g. due before its first day)")
                for r in results:
                    mine = cq.enterprise_ids_of(session, r.alliance.id)
                    concern = [i for i in items if {i.first_party_id, i.second_party_id} & mine]
                    say(f"  {r.alliance.name} 协调员可见的县级条目：{len(concern)} 个 / county items concerning "
                        "this park")
                if docs:
                    say(f"协议示例：{docs[0].title_zh}（{docs[0].number}）{docs[0].parties[0][2].name} — "
                        f"{docs[0].parties[1][2].name}")
            return 0 if proposal_id else 1
        finally:
            self.runner.shutdown()
            self.engine.dispose()


def run_county_demo(time_limit: float, say: Callable[[str], None]) -> int:
    with tempfile.TemporaryDirectory(prefix="alliance-county-") as folder:
        return CountyDemo(Path(folder), time_limit, say).run()
