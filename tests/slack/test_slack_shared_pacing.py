"""Slack pacing in worker mode: two clients on separate engines of one PostgreSQL database (as two workers) keep
the per-channel and per-method intervals together, checked on the fake's arrival times."""

from __future__ import annotations

import asyncio

from slack_support import make_digest, run
from sqlalchemy import Engine
from test_slack_pacing import assert_paced

from bot.fakes.slack_web_api import FakeSlack
from bot.jobs.shared_gates import SharedGates
from bot.slack.channel import ChannelResolver, SlackChannel
from bot.slack.client import POST_INTERVAL, TIER_INTERVALS, Pacing, make_client
from digests.storage import Store
from digests.storage.store import create_database_engine

SCALE = 0.1  # Slack's intervals shrunk tenfold so the test runs fast; the spacing rules are the same


def worker_channel(slack: FakeSlack, engine: Engine) -> SlackChannel:
    client = make_client(
        slack.bot_token, slack.base_url, backoff=0.05, pacing=Pacing(scale=SCALE), gates=SharedGates(engine)
    )
    return SlackChannel("slack:#news", client, ChannelResolver(client))


def test_two_workers_keep_one_post_interval_per_channel_and_one_per_method(postgres_url: str) -> None:
    Store(postgres_url).close()  # migrates
    engines = [create_database_engine(postgres_url), create_database_engine(postgres_url)]

    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            workers = [worker_channel(slack, engine) for engine in engines]
            posts = [w.post_digest(make_digest(3), f"m-{n}-{w_n}") for w_n, w in enumerate(workers) for n in range(2)]
            await asyncio.gather(*posts)
            assert len(slack.messages(channel_id)) == 4
            assert len(slack.calls_to("conversations.list")) == 2  # each worker resolves #news once
            assert_paced(slack.times_of("conversations.list"), TIER_INTERVALS["conversations.list"] * SCALE)
            assert_paced(slack.times_of("chat.postMessage", channel_id), POST_INTERVAL * SCALE)

    try:
        run(scenario)
    finally:
        for engine in engines:
            engine.dispose()
