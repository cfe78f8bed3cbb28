"""Tables of story grouping: each article's story, canonical URL and MinHash signature; LSH bands of recent ones."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from digests.storage.tables import Base


class ArticleStoryRow(Base):
    """The story an article belongs to (the id of the story's first article) and what identifies it."""

    __tablename__ = "article_stories"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(Integer, index=True)
    url_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # sha256 of canonical URL
    canonical_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    shingles: Mapped[int] = mapped_column(Integer, default=0)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoryBandRow(Base):
    """One LSH band key of a recent article's signature; rows older than the grouping window are deleted."""

    __tablename__ = "story_bands"

    band: Mapped[str] = mapped_column(String(20), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StorySightingRow(Base):
    """The exact text of a stored article seen again from another outlet or address (stored once, listed too)."""

    __tablename__ = "story_sightings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    outlet: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    url_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
