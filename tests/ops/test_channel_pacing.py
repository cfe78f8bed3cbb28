"""Whole-digest pacing per channel across workers, by the database's clock."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy import create_engine, text

from bot.jobs.pacing import ChannelPacing
from digests.storage import Store
from digests.storage.store import normalise_database_url

CHANNEL = "slack:#newsroom"


def test_a_post_in_another_worker_starts_an_interval_after_the_last_one_ended(postgres_url: str) -> None:
    Store(postgres_url).close()  # migrated
    engines = [create_engine(normalise_database_url(postgres_url)) for _ in range(2)]
    first, second = (ChannelPacing(engine, 0.4) for engine in engines)

    def last_post() -> datetime:
        with engines[0].connect() as connection:
            query = text("SELECT last_post_at FROM channel_pacing WHERE channel = :channel")
            moment: datetime = connection.execute(query, {"channel": CHANNEL}).scalar_one()
            return moment

    async def scenario() -> tuple[datetime, datetime, float]:
        await first.wait_turn(CHANNEL)
        await first.finished(CHANNEL)
        ended = last_post()
        remaining = await asyncio.to_thread(second._remaining, CHANNEL)
        await second.wait_turn(CHANNEL)
        return ended, last_post(), remaining

    try:
        ended, started, remaining = asyncio.run(scenario())
        elsewhere = first._remaining("slack:#elsewhere")
    finally:
        for engine in engines:
            engine.dispose()
    assert 0 < remaining <= 0.4
    assert (started - ended).total_seconds() >= 0.4
    assert elsewhere == 0.0  # a channel never posted to may go at once
