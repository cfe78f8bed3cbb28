"""Pacing slots: the latest reserved slots of each shared rate limit, so every worker keeps to the same limits.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pacing_slots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("gate", sa.Text(), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pacing_slots_gate_slot_at", "pacing_slots", ["gate", "slot_at"])


def downgrade() -> None:
    op.drop_table("pacing_slots")
