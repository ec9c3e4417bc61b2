"""Round and proposal lifecycle: alliance default policy, where a round's policy values came from, reporting
deadline, and the report versions a planning job was built from.

Revision ID: 0002_lifecycle
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_lifecycle"
down_revision: str | None = "0002_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alliance") as batch:
        batch.add_column(sa.Column("policy", sa.JSON(), nullable=True))
    with op.batch_alter_table("planning_round") as batch:
        batch.add_column(sa.Column("policy_sources", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("report_deadline", sa.DateTime(), nullable=True))
    with op.batch_alter_table("planning_job") as batch:
        batch.add_column(sa.Column("report_versions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("planning_job") as batch:
        batch.drop_column("report_versions")
    with op.batch_alter_table("planning_round") as batch:
        batch.drop_column("report_deadline")
        batch.drop_column("policy_sources")
    with op.batch_alter_table("alliance") as batch:
        batch.drop_column("policy")
