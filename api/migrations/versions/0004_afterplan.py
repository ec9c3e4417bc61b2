"""After the plan (issue 14): execution records of confirmed items and the settlement close of a round.

Revision ID: 0002_afterplan
Revises: 0001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_afterplan"
down_revision: str | None = "0002_county"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_execution",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=15), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("finished_by", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["proposal_item.id"], name=op.f("fk_item_execution_item_id_proposal_item"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["planning_round.id"],
                                name=op.f("fk_item_execution_round_id_planning_round"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["finished_by"], ["user_account.id"],
                                name=op.f("fk_item_execution_finished_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_execution")),
    )
    op.create_index(op.f("ix_item_execution_round_id"), "item_execution", ["round_id"], unique=False)
    op.create_table(
        "execution_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("delivered", sa.Integer(), nullable=True),
        sa.Column("accepted", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=13), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column("claimed", sa.JSON(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item_execution.item_id"],
                                name=op.f("fk_execution_record_item_id_item_execution"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by"], ["user_account.id"],
                                name=op.f("fk_execution_record_recorded_by_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["answered_by"], ["user_account.id"],
                                name=op.f("fk_execution_record_answered_by_user_account"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by"], ["user_account.id"],
                                name=op.f("fk_execution_record_decided_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_execution_record")),
        sa.UniqueConstraint("item_id", "day", name=op.f("uq_execution_record_item_id_day")),
    )
    op.create_index(op.f("ix_execution_record_item_id"), "execution_record", ["item_id"], unique=False)
    op.create_table(
        "settlement_close",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["planning_round.id"],
                                name=op.f("fk_settlement_close_round_id_planning_round"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["closed_by"], ["user_account.id"],
                                name=op.f("fk_settlement_close_closed_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("round_id", name=op.f("pk_settlement_close")),
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("rater_id", sa.Integer(), nullable=False),
        sa.Column("ratee_id", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        sa.Column("cooperation", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item_execution.item_id"], name=op.f("fk_rating_item_id_item_execution"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["planning_round.id"], name=op.f("fk_rating_round_id_planning_round"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rater_id"], ["enterprise.id"], name=op.f("fk_rating_rater_id_enterprise"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["ratee_id"], ["enterprise.id"], name=op.f("fk_rating_ratee_id_enterprise"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_rating_created_by_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating")),
        sa.UniqueConstraint("item_id", "rater_id", name=op.f("uq_rating_item_id_rater_id")),
    )
    op.create_index(op.f("ix_rating_item_id"), "rating", ["item_id"], unique=False)
    op.create_index(op.f("ix_rating_round_id"), "rating", ["round_id"], unique=False)
    op.create_index(op.f("ix_rating_ratee_id"), "rating", ["ratee_id"], unique=False)
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=13), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["planning_round.id"], name=op.f("fk_notice_round_id_planning_round"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_notice_created_by_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["approved_by"], ["user_account.id"],
                                name=op.f("fk_notice_approved_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("round_id", name=op.f("uq_notice_round_id")),
    )
    op.create_table(
        "notice_consent",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_notice_consent_notice_id_notice"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"],
                                name=op.f("fk_notice_consent_enterprise_id_enterprise"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["decided_by"], ["user_account.id"],
                                name=op.f("fk_notice_consent_decided_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("notice_id", "enterprise_id", name=op.f("pk_notice_consent")),
    )
    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notice.id"], name=op.f("fk_objection_notice_id_notice"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["enterprise_id"], ["enterprise.id"], name=op.f("fk_objection_enterprise_id_enterprise"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["filed_by"], ["user_account.id"], name=op.f("fk_objection_filed_by_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["answered_by"], ["user_account.id"],
                                name=op.f("fk_objection_answered_by_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    op.create_index(op.f("ix_objection_notice_id"), "objection", ["notice_id"], unique=False)
    op.create_table(
        "inbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_inbox_message_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["alliance_id"], ["alliance.id"], name=op.f("fk_inbox_message_alliance_id_alliance"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_message")),
    )
    op.create_index(op.f("ix_inbox_message_user_id"), "inbox_message", ["user_id"], unique=False)
    op.create_table(
        "alliance_webhook",
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alliance_id"], ["alliance.id"], name=op.f("fk_alliance_webhook_alliance_id_alliance"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alliance_id", name=op.f("pk_alliance_webhook")),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["alliance_id"], ["alliance.id"], name=op.f("fk_outbox_message_alliance_id_alliance"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
    )
    op.create_index(op.f("ix_outbox_message_alliance_id"), "outbox_message", ["alliance_id"], unique=False)
    op.create_index(op.f("ix_outbox_message_status"), "outbox_message", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_status"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_alliance_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_table("alliance_webhook")
    op.drop_index(op.f("ix_inbox_message_user_id"), table_name="inbox_message")
    op.drop_table("inbox_message")
    op.drop_index(op.f("ix_objection_notice_id"), table_name="objection")
    op.drop_table("objection")
    op.drop_table("notice_consent")
    op.drop_table("notice")
    op.drop_index(op.f("ix_rating_ratee_id"), table_name="rating")
    op.drop_index(op.f("ix_rating_round_id"), table_name="rating")
    op.drop_index(op.f("ix_rating_item_id"), table_name="rating")
    op.drop_table("rating")
    op.drop_table("settlement_close")
    op.drop_index(op.f("ix_execution_record_item_id"), table_name="execution_record")
    op.drop_table("execution_record")
    op.drop_index(op.f("ix_item_execution_round_id"), table_name="item_execution")
    op.drop_table("item_execution")
