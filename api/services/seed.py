"""The first start: a bootstrap admin, and a demo alliance a coordinator can plan with at once.

The demo comes from ``examples/dehua-24.json`` in the repository (24 Dehua
ceramics firms); when the service runs without the repository around it, the
domain's deterministic generator makes an alliance of the same size instead.
Every firm gets a clerk account and its capacity report for an open round,
so "request a plan" works right after the first start.  Demo accounts use
known passwords (``<username>-demo``): they are for trying the service, and
``ALLIANCE_SEED_DEMO=false`` turns the seeding off.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from alliance.scenario import Scenario, load_scenario
from api import credit_code, queries
from api.models import Role
from api.schemas import AllianceCreate, EnterpriseCreate, ReportIn, RoundCreate, UserCreate
from api.services import alliances, audit, auth, rounds
from api.services.scenarios import order_ref

log = logging.getLogger("api")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_SCENARIO = REPO_ROOT / "examples" / "dehua-24.json"
DEHUA_DIVISION = "350526"  # 德化县 administrative division code


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    note: str


def demo_credit_code(index: int) -> str:
    """A well-formed credit code for demo firm ``index`` (9 = market regulator, 1 = enterprise, Dehua county)."""
    return credit_code.make("91" + DEHUA_DIVISION + credit_code.organisation_code(f"DH{index:06d}"))


def demo_scenario() -> Scenario:
    if DEMO_SCENARIO.is_file():
        return load_scenario(DEMO_SCENARIO.read_text(encoding="utf-8"))
    from alliance.generator import generate_alliance

    return generate_alliance(24, seed=2026, name="德化陶瓷产业链党建联盟（演示）")


def _password(username: str) -> str:
    return f"{username}-demo"


def seed_demo(session: Session, scenario: Scenario) -> list[DemoAccount]:
    accounts: list[DemoAccount] = []

    def account(username: str, role: Role, note: str, **links: Any) -> Any:
        user = auth.create_user(session, None, UserCreate(username=username, password=_password(username),
                                                           display_name=note, role=role.value, **links))
        accounts.append(DemoAccount(username, _password(username), role.value, note))
        return user

    if queries.get_user_by_username(session, "admin") is None:
        account("admin", Role.ADMIN, "平台管理员 / operator")
    alliance = alliances.create_alliance(
        session, None, AllianceCreate(code=scenario.alliance.id[:40], name=scenario.alliance.name))
    members = {}
    for i, ent in enumerate(scenario.enterprises, start=1):
        members[ent.id] = alliances.create_enterprise(session, None, alliance, EnterpriseCreate(
            code=ent.id, credit_code=demo_credit_code(i), name=ent.name, lat=ent.lat, lon=ent.lon,
            quality_level=ent.quality_level, processes=ent.processes, wage_per_day=ent.wage_per_day,
            accepts_subcontracts=ent.accepts_subcontracts, borrows_workers=ent.borrows_workers,
        ))
    # The demo park's own rules become the alliance's default; the demo round inherits them.
    alliance.policy = scenario.policy.model_dump(mode="json", exclude_unset=True) or None
    coordinator = account("coordinator", Role.COORDINATOR, f"{alliance.name} 协调员 / coordinator",
                          alliance_id=alliance.id)
    guide = account("guide", Role.GUIDE, "党建指导员 / guide")
    alliances.assign_guide(session, None, alliance, guide.id)  # type: ignore[arg-type]
    for ent in scenario.enterprises:
        account(f"clerk-{ent.id.lower()}", Role.ENTERPRISE, f"{ent.name} 填报员 / clerk",
                enterprise_id=members[ent.id].id)

    rnd = rounds.create_round(session, coordinator, alliance, RoundCreate(
        name="演示轮次 / demo round",
        start_date=scenario.start_date or dt.date.today(),
        horizon_days=scenario.horizon_days,
        skills=scenario.skills,
        machines=scenario.machines,
    ))
    for ent in scenario.enterprises:
        report = ReportIn(
            idle_workers=ent.idle_workers,
            lendable_workers=ent.lendable_workers,
            spare_machine_hours=ent.spare_machine_hours,
            orders=[
                {**o.model_dump(exclude={"owner"}), "id": order_ref(ent.id, o.id)}
                for o in scenario.orders if o.owner == ent.id
            ],
            blocked_partners=ent.blocked_partners,
        )
        rounds.submit_report(session, None, rnd, members[ent.id], report, source="seed")
    audit.record(session, None, "demo.seed", "alliance", alliance.id,
                 after={"enterprises": len(members), "round_id": rnd.id, "accounts": len(accounts)},
                 alliance_id=alliance.id)
    return accounts


def seed_if_empty(session_factory: sessionmaker[Session]) -> list[DemoAccount]:
    """Seed the demo into an empty database; on later starts, list the demo accounts again (known passwords)."""
    with session_factory() as session:
        if queries.count_alliances(session) == 0 and not queries.seeded(session):
            accounts = seed_demo(session, demo_scenario())
            session.commit()
            log.info("seeded the demo alliance with %d accounts", len(accounts))
            return accounts
        if queries.seeded(session):
            return _existing_demo_accounts(session)
    return []


def _existing_demo_accounts(session: Session) -> list[DemoAccount]:
    out = []
    for user in queries.list_users(session):
        # Only accounts that still have their demo password are listed: a changed password stays secret.
        from api.security import verify_password

        if user.is_active and user.username in ("admin", "coordinator", "guide") and verify_password(
                _password(user.username), user.password_hash):
            out.append(DemoAccount(user.username, _password(user.username), user.role, user.display_name))
    clerks = [u for u in queries.list_users(session, role=Role.ENTERPRISE.value) if u.username.startswith("clerk-")]
    if clerks:
        out.append(DemoAccount("clerk-<code>", "clerk-<code>-demo", Role.ENTERPRISE.value,
                               f"{len(clerks)} 个企业填报员，如 {clerks[0].username} / firm clerks"))
    return out


def ensure_admin(session_factory: sessionmaker[Session], username: str, password: str) -> bool:
    """Create the admin account ``username`` unless it exists; True when created."""
    with session_factory() as session:
        if queries.get_user_by_username(session, username) is not None:
            return False
        auth.create_user(session, None, UserCreate(username=username, password=password, role=Role.ADMIN.value,
                                                   display_name="管理员 / admin"))
        session.commit()
        return True


def format_accounts(accounts: list[DemoAccount]) -> str:
    lines = ["演示账号 / demo accounts:", f"  {'username':<20} {'password':<26} {'role':<12} note"]
    lines += [f"  {a.username:<20} {a.password:<26} {a.role:<12} {a.note}" for a in accounts]
    return "\n".join(lines)


