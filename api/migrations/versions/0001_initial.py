"""Initial schema: accounts, alliances, rounds, reports, jobs, proposals, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alliance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alliance')),
    sa.UniqueConstraint('code', name=op.f('uq_alliance_code'))
    )
    op.create_table('enterprise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('quality_level', sa.Integer(), nullable=False),
    sa.Column('processes', sa.JSON(), nullable=False),
    sa.Column('wage_per_day', sa.Float(), nullable=False),
    sa.Column('accepts_subcontracts', sa.Boolean(), nullable=False),
    sa.Column('borrows_workers', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_enterprise_alliance_id_alliance'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise')),
    sa.UniqueConstraint('alliance_id', 'code', name=op.f('uq_enterprise_alliance_id_code')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_enterprise_credit_code'))
    )
    op.create_index(op.f('ix_enterprise_alliance_id'), 'enterprise', ['alliance_id'], unique=False)
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=15), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('alliance_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_user_account_alliance_id_alliance'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_user_account_enterprise_id_enterprise'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_index(op.f('ix_user_account_alliance_id'), 'user_account', ['alliance_id'], unique=False)
    op.create_index(op.f('ix_user_account_enterprise_id'), 'user_account', ['enterprise_id'], unique=False)
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('entity', sa.String(length=80), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_log_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_audit_log_alliance_id_alliance'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_actor_id'), 'audit_log', ['actor_id'], unique=False)
    op.create_index(op.f('ix_audit_log_alliance_id'), 'audit_log', ['alliance_id'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_entity'), 'audit_log', ['entity'], unique=False)
    op.create_table('guide_assignment',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_guide_assignment_alliance_id_alliance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_guide_assignment_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'alliance_id', name=op.f('pk_guide_assignment'))
    )
    op.create_table('planning_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alliance_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('machines', sa.JSON(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['alliance_id'], ['alliance.id'], name=op.f('fk_planning_round_alliance_id_alliance'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_planning_round_created_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_round'))
    )
    op.create_index(op.f('ix_planning_round_alliance_id'), 'planning_round', ['alliance_id'], unique=False)
    op.create_table('capacity_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_capacity_report_enterprise_id_enterprise'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['round_id'], ['planning_round.id'], name=op.f('fk_capacity_report_round_id_planning_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id'], name=op.f('fk_capacity_report_submitted_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_report')),
    sa.UniqueConstraint('round_id', 'enterprise_id', 'version', name=op.f('uq_capacity_report_round_id_enterprise_id_version'))
    )
    op.create_index(op.f('ix_capacity_report_enterprise_id'), 'capacity_report', ['enterprise_id'], unique=False)
    op.create_index(op.f('ix_capacity_report_round_id'), 'capacity_report', ['round_id'], unique=False)
    op.create_table('planning_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=13), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('replan', sa.JSON(), nullable=True),
    sa.Column('replan_of', sa.Integer(), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_planning_job_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['replan_of'], ['planning_job.id'], name=op.f('fk_planning_job_replan_of_planning_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['planning_round.id'], name=op.f('fk_planning_job_round_id_planning_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planning_job'))
    )
    op.create_index(op.f('ix_planning_job_round_id'), 'planning_job', ['round_id'], unique=False)
    op.create_index(op.f('ix_planning_job_status'), 'planning_job', ['status'], unique=False)
    op.create_table('proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=13), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_proposal_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['planning_job.id'], name=op.f('fk_proposal_job_id_planning_job'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['previous_id'], ['proposal.id'], name=op.f('fk_proposal_previous_id_proposal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['planning_round.id'], name=op.f('fk_proposal_round_id_planning_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal')),
    sa.UniqueConstraint('round_id', 'version', name=op.f('uq_proposal_round_id_version'))
    )
    op.create_index(op.f('ix_proposal_job_id'), 'proposal', ['job_id'], unique=False)
    op.create_index(op.f('ix_proposal_round_id'), 'proposal', ['round_id'], unique=False)
    op.create_table('proposal_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=15), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('order_id', sa.String(length=100), nullable=True),
    sa.Column('skill', sa.String(length=100), nullable=True),
    sa.Column('first_party_id', sa.Integer(), nullable=False),
    sa.Column('second_party_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=13), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['carried_from_id'], ['proposal_item.id'], name=op.f('fk_proposal_item_carried_from_id_proposal_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_proposal_item_decided_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['first_party_id'], ['enterprise.id'], name=op.f('fk_proposal_item_first_party_id_enterprise'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_item_proposal_id_proposal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['second_party_id'], ['enterprise.id'], name=op.f('fk_proposal_item_second_party_id_enterprise'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_item')),
    sa.UniqueConstraint('proposal_id', 'key', name=op.f('uq_proposal_item_proposal_id_key'))
    )
    op.create_index(op.f('ix_proposal_item_first_party_id'), 'proposal_item', ['first_party_id'], unique=False)
    op.create_index(op.f('ix_proposal_item_proposal_id'), 'proposal_item', ['proposal_id'], unique=False)
    op.create_index(op.f('ix_proposal_item_second_party_id'), 'proposal_item', ['second_party_id'], unique=False)
    op.create_table('review_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('guide_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=11), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['guide_id'], ['user_account.id'], name=op.f('fk_review_decision_guide_id_user_account'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_review_decision_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decision'))
    )
    op.create_index(op.f('ix_review_decision_proposal_id'), 'review_decision', ['proposal_id'], unique=False)
    op.create_table('item_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=11), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['user_account.id'], name=op.f('fk_item_response_decided_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_item_response_enterprise_id_enterprise'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['item_id'], ['proposal_item.id'], name=op.f('fk_item_response_item_id_proposal_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_response')),
    sa.UniqueConstraint('item_id', 'enterprise_id', name=op.f('uq_item_response_item_id_enterprise_id'))
    )
    op.create_index(op.f('ix_item_response_item_id'), 'item_response', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_item_response_item_id'), table_name='item_response')
    op.drop_table('item_response')
    op.drop_index(op.f('ix_review_decision_proposal_id'), table_name='review_decision')
    op.drop_table('review_decision')
    op.drop_index(op.f('ix_proposal_item_second_party_id'), table_name='proposal_item')
    op.drop_index(op.f('ix_proposal_item_proposal_id'), table_name='proposal_item')
    op.drop_index(op.f('ix_proposal_item_first_party_id'), table_name='proposal_item')
    op.drop_table('proposal_item')
    op.drop_index(op.f('ix_proposal_round_id'), table_name='proposal')
    op.drop_index(op.f('ix_proposal_job_id'), table_name='proposal')
    op.drop_table('proposal')
    op.drop_index(op.f('ix_planning_job_status'), table_name='planning_job')
    op.drop_index(op.f('ix_planning_job_round_id'), table_name='planning_job')
    op.drop_table('planning_job')
    op.drop_index(op.f('ix_capacity_report_round_id'), table_name='capacity_report')
    op.drop_index(op.f('ix_capacity_report_enterprise_id'), table_name='capacity_report')
    op.drop_table('capacity_report')
    op.drop_index(op.f('ix_planning_round_alliance_id'), table_name='planning_round')
    op.drop_table('planning_round')
    op.drop_table('guide_assignment')
    op.drop_index(op.f('ix_audit_log_entity'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_alliance_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_actor_id'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_user_account_enterprise_id'), table_name='user_account')
    op.drop_index(op.f('ix_user_account_alliance_id'), table_name='user_account')
    op.drop_table('user_account')
    op.drop_index(op.f('ix_enterprise_alliance_id'), table_name='enterprise')
    op.drop_table('enterprise')
    op.drop_table('alliance')
