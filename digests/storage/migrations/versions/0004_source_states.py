"""Live sources: per-feed fetch state, article authors, and an index to find an article by URL.

Revision ID: 0004
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("body_hash", sa.String(64), nullable=True),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_new", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("failing", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("announced", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_source_states_next_poll_at", "source_states", ["next_poll_at"])
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("author", sa.Text(), nullable=True))
    op.create_index("ix_articles_url", "articles", ["url"])


def downgrade() -> None:
    op.drop_index("ix_articles_url", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("author")
    op.drop_index("ix_source_states_next_poll_at", table_name="source_states")
    op.drop_table("source_states")
