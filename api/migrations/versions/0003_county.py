"""County: the alliance tree (parent_id) and escalations of what a park plan could not clear.

Revision ID: 0002_county
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_county"
down_revision: str | None = "0002_celery"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite adds a foreign key only by copying the table.
    with op.batch_alter_table("alliance") as batch:
        batch.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_alliance_parent_id_alliance"), "alliance", ["parent_id"], ["id"],
                                 ondelete="RESTRICT")
        batch.create_index(op.f("ix_alliance_parent_id"), ["parent_id"], unique=False)
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_round_id", sa.Integer(), nullable=False),
        sa.Column("to_round_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["from_round_id"], ["planning_round.id"],
                                name=op.f("fk_escalation_from_round_id_planning_round"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["to_round_id"], ["planning_round.id"],
                                name=op.f("fk_escalation_to_round_id_planning_round"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], name=op.f("fk_escalation_proposal_id_proposal"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_escalation_created_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation")),
        sa.UniqueConstraint("from_round_id", "to_round_id", name=op.f("uq_escalation_from_round_id_to_round_id")),
    )
    op.create_index(op.f("ix_escalation_from_round_id"), "escalation", ["from_round_id"], unique=False)
    op.create_index(op.f("ix_escalation_to_round_id"), "escalation", ["to_round_id"], unique=False)
    op.create_table(
        "escalation_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"],
                                name=op.f("fk_escalation_entry_escalation_id_escalation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"],
                                name=op.f("fk_escalation_entry_enterprise_id_enterprise"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["withdrawn_by"], ["user_account.id"],
                                name=op.f("fk_escalation_entry_withdrawn_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_entry")),
    )
    op.create_index(op.f("ix_escalation_entry_escalation_id"), "escalation_entry", ["escalation_id"], unique=False)
    op.create_index(op.f("ix_escalation_entry_enterprise_id"), "escalation_entry", ["enterprise_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_escalation_entry_enterprise_id"), table_name="escalation_entry")
    op.drop_index(op.f("ix_escalation_entry_escalation_id"), table_name="escalation_entry")
    op.drop_table("escalation_entry")
    op.drop_index(op.f("ix_escalation_to_round_id"), table_name="escalation")
    op.drop_index(op.f("ix_escalation_from_round_id"), table_name="escalation")
    op.drop_table("escalation")
    with op.batch_alter_table("alliance") as batch:
        batch.drop_index(op.f("ix_alliance_parent_id"))
        batch.drop_constraint(op.f("fk_alliance_parent_id_alliance"), type_="foreignkey")
        batch.drop_column("parent_id")
