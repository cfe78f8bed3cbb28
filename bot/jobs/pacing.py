"""Per-channel pacing shared by every worker: at most one post per channel per interval, cluster-wide.

Jobs of one channel share a Procrastinate lock, so only one runs at a time anywhere; the time of the channel's
last post lives in the database (``channel_pacing``). A post may start only ``interval`` after the previous one
finished. The start is recorded before posting, so a worker killed mid-post still holds the channel back.
Times are the database's clock, so workers on machines whose clocks differ agree.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import Engine, text

from bot.jobs.shared_gates import NO_FLUSH_WAIT

UPSERT = text(
    "INSERT INTO channel_pacing (channel, last_post_at) VALUES (:channel, clock_timestamp()) "
    "ON CONFLICT (channel) DO UPDATE SET last_post_at = EXCLUDED.last_post_at"
)
REMAINING = text(
    "SELECT EXTRACT(EPOCH FROM (last_post_at + make_interval(secs => :interval)) - clock_timestamp()) "
    "FROM channel_pacing WHERE channel = :channel"
)


class ChannelPacing:
    """Waits for a channel's turn and records its posts."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine = engine
        self.interval = interval

    def _remaining(self, channel: str) -> float:
        """Seconds until ``channel`` may be posted to again (0 or less: now)."""
        with self.engine.connect() as connection:
            value = connection.execute(REMAINING, {"channel": channel, "interval": self.interval}).scalar()
            return float(value) if value is not None else 0.0

    def _record(self, channel: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(NO_FLUSH_WAIT)
            connection.execute(UPSERT, {"channel": channel})

    async def wait_turn(self, channel: str) -> None:
        """Sleep until ``channel`` may be posted to, then record that a post starts now."""
        pause = await asyncio.to_thread(self._remaining, channel)
        if pause > 0:
            await asyncio.sleep(pause)
        await asyncio.to_thread(self._record, channel)

    async def finished(self, channel: str) -> None:
        """The post ended (sent or not): the next one waits ``interval`` from now."""
        await asyncio.to_thread(self._record, channel)
