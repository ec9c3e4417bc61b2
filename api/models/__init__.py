"""Database tables (SQLAlchemy 2.0 typed models), one module per domain of ``api/``.

The tables are created by the Alembic migrations in ``api/migrations`` only;
``tests/api/test_migrations.py`` holds the models and the migrations to the
same schema.  JSON columns hold what the domain already validates (report
payloads, scenario snapshots, plans), in the shapes of ``alliance``.

Every model is re-exported here, so ``from api.models import X`` finds any of them and importing this package
registers every table on ``Base.metadata`` (Alembic's ``env.py`` compares against it).
"""

# isort: off
# In the order the tables were first declared (each module after the ones it imports), so that the order of
# ``Base.metadata.tables`` and ``sorted_tables`` (create_all, autogenerate) stays as it was.
from api.models.base import NAMING_CONVENTION, UTCDateTime, Base, enum_string, utcnow
from api.models.accounts import Alliance, Enterprise, GuideAssignment, Role, User
from api.models.rounds import PlanningRound, RoundStatus
from api.models.reports import CapacityReport
from api.models.jobs import JobStatus, PlanningJob
from api.models.proposals import (
    Answer,
    Decision,
    ItemKind,
    ItemResponse,
    ItemStatus,
    Proposal,
    ProposalItem,
    ProposalStatus,
    ReviewDecision,
)
from api.models.audit import AuditLog
from api.models.county import EntryKind, Escalation, EscalationEntry
from api.models.execution import ExecState, ExecutionRecord, ItemExecution, Rating, RecordStatus, SettlementClose
from api.models.notices import Notice, NoticeConsent, NoticeStatus, Objection
from api.models.notifications import AllianceWebhook, InboxMessage, OutboxMessage
from api.models.catalogue import DisplayName

# isort: on

__all__ = [
    "NAMING_CONVENTION",
    "Alliance",
    "AllianceWebhook",
    "Answer",
    "AuditLog",
    "Base",
    "CapacityReport",
    "Decision",
    "DisplayName",
    "Enterprise",
    "EntryKind",
    "Escalation",
    "EscalationEntry",
    "ExecState",
    "ExecutionRecord",
    "GuideAssignment",
    "InboxMessage",
    "ItemExecution",
    "ItemKind",
    "ItemResponse",
    "ItemStatus",
    "JobStatus",
    "Notice",
    "NoticeConsent",
    "NoticeStatus",
    "Objection",
    "OutboxMessage",
    "PlanningJob",
    "PlanningRound",
    "Proposal",
    "ProposalItem",
    "ProposalStatus",
    "Rating",
    "RecordStatus",
    "ReviewDecision",
    "Role",
    "RoundStatus",
    "SettlementClose",
    "UTCDateTime",
    "User",
    "enum_string",
    "utcnow",
]
