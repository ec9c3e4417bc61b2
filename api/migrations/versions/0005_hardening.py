"""Token version on accounts: a password change or a deactivation revokes every token issued before it.

Revision ID: 0002_hardening
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002_hardening'
down_revision: str | None = '0002_afterplan'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('token_version')
