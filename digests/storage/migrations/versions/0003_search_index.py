"""Article search index: BM25 posting blocks per stemmed term, document lengths, totals; existing articles indexed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from digests.search import catch_up

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.Column("last_block", sa.Integer(), nullable=False),
    )
    op.create_table(
        "search_postings",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("block", sa.Integer(), primary_key=True),
        sa.Column("low", sa.Integer(), nullable=False),
        sa.Column("high", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "search_documents",
        sa.Column("article_id", sa.Integer(), primary_key=True),
        sa.Column("length", sa.Integer(), nullable=False),
    )
    op.create_table(
        "search_totals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("total_length", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    catch_up(op.get_bind())


def downgrade() -> None:
    op.drop_table("search_totals")
    op.drop_table("search_documents")
    op.drop_table("search_postings")
    op.drop_table("search_terms")
