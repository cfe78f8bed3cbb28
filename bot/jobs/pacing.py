"""Per-channel pacing shared by every worker: at most one post per channel per interval, cluster-wide.

Jobs of one channel share a Procrastinate lock, so only one runs at a time anywhere; the time of the channel's
last post lives in the database (``channel_pacing``). A post may start only ``interval`` after the previous one
finished. The start is recorded before posting, so a worker killed mid-post still holds the channel back.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from digests.storage.store import as_utc

UPSERT = text(
    "INSERT INTO channel_pacing (channel, last_post_at) VALUES (:channel, :moment) "
    "ON CONFLICT (channel) DO UPDATE SET last_post_at = EXCLUDED.last_post_at"
)


class ChannelPacing:
    """Waits for a channel's turn and records its posts."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine = engine
        self.interval = timedelta(seconds=interval)

    def _last(self, channel: str) -> datetime | None:
        with self.engine.connect() as connection:
            query = text("SELECT last_post_at FROM channel_pacing WHERE channel = :channel")
            return as_utc(connection.execute(query, {"channel": channel}).scalar())

    def _record(self, channel: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(UPSERT, {"channel": channel, "moment": datetime.now(UTC)})

    async def wait_turn(self, channel: str) -> None:
        """Sleep until ``channel`` may be posted to, then record that a post starts now."""
        last = await asyncio.to_thread(self._last, channel)
        if last is not None:
            pause = (last + self.interval - datetime.now(UTC)).total_seconds()
            if pause > 0:
                await asyncio.sleep(pause)
        await asyncio.to_thread(self._record, channel)

    async def finished(self, channel: str) -> None:
        """The post ended (sent or not): the next one waits ``interval`` from now."""
        await asyncio.to_thread(self._record, channel)

