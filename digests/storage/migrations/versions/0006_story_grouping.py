"""Story grouping: each article's story, canonical URL and MinHash signature; LSH bands of recent articles;
other outlets seen running an article's exact text.

Revision ID: 0006
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_stories",
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("url_key", sa.String(64), nullable=True),
        sa.Column("canonical_url", sa.Text(), nullable=True),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("shingles", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_article_stories_story_id", "article_stories", ["story_id"])
    op.create_index("ix_article_stories_url_key", "article_stories", ["url_key"])
    op.create_table(
        "story_bands",
        sa.Column("band", sa.String(20), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_bands_ingested_at", "story_bands", ["ingested_at"])
    op.create_table(
        "story_sightings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("article_id", sa.Integer(), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("outlet", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.String(64), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_sightings_article_id", "story_sightings", ["article_id"])


def downgrade() -> None:
    op.drop_table("story_sightings")
    op.drop_table("story_bands")
    op.drop_table("article_stories")
