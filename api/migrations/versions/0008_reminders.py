"""The report deadline a round's "report due" reminder went out for (issue 14 item 7).

Revision ID: 0003_reminders
Revises: 0002_pages
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_reminders"
down_revision: str | None = "0002_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("planning_round") as batch:
        batch.add_column(sa.Column("report_reminded_for", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("planning_round") as batch:
        batch.drop_column("report_reminded_for")
