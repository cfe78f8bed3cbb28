"""Delivery ledger: stored digests per schedule slot, deliveries per channel, articles each channel has had.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("schedule", sa.String(100), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("high_water", sa.Integer(), nullable=False),
        sa.Column("digest", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schedule", "slot", name="uq_digest_runs_schedule_slot"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("digest_id", sa.Integer(), sa.ForeignKey("digest_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("schedule", sa.String(100), nullable=False),
        sa.Column("slot", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("article_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schedule", "slot", "channel", name="uq_deliveries_key"),
    )
    op.create_index("ix_deliveries_digest_id", "deliveries", ["digest_id"])
    op.create_index("ix_deliveries_state", "deliveries", ["state"])
    op.create_table(
        "delivered_articles",
        sa.Column("channel", sa.String(200), primary_key=True),
        sa.Column("article_id", sa.Integer(), primary_key=True),
        sa.Column("delivery_id", sa.Integer(), sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_delivered_articles_delivery_id", "delivered_articles", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivered_articles")
    op.drop_table("deliveries")
    op.drop_table("digest_runs")
