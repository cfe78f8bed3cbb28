"""Tables of the delivery ledger: stored digests, one delivery per channel, articles each channel has had."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from digests.storage.tables import Base


class DigestRunRow(Base):
    """The digest a schedule built for one slot, stored before any delivery."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("schedule", "slot", name="uq_digest_runs_schedule_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule: Mapped[str] = mapped_column(String(100))
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    article_ids: Mapped[list[int]] = mapped_column(JSON)
    high_water: Mapped[int] = mapped_column(Integer)
    digest: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """One digest to one channel: pending -> sending -> sent / failed (or skipped when empty)."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("schedule", "slot", "channel", name="uq_deliveries_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digest_runs.id", ondelete="CASCADE"), index=True)
    schedule: Mapped[str] = mapped_column(String(100))
    slot: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(200))
    article_ids: Mapped[list[int]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    message_id: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveredArticleRow(Base):
    """An article a channel has been given (so its digests never repeat it)."""

    __tablename__ = "delivered_articles"

    channel: Mapped[str] = mapped_column(String(200), primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
