"""Discord's per-bot budget in worker mode: two workers' directories on one PostgreSQL database share it.

Each directory is built as ``newsdigest worker`` builds it and posts through the real discord.py client to the fake;
the budget is checked on the fake's arrival times of every request the posts make.
"""

from __future__ import annotations

import asyncio

from discord_support import demanding_digest, run_clean

from bot.app import App
from bot.config import parse_config
from bot.discord.channel import DiscordChannel
from bot.fakes.discord_server import FakeDiscord
from bot.jobs.shared_gates import SharedWindow
from bot.jobs.worker import worker_directory

BUDGET, PERIOD = 2, 0.25  # 2 requests per 0.25 s for the whole bot (Discord's is 50 per second)


def test_two_workers_share_the_bots_request_budget(postgres_url: str) -> None:
    config = parse_config(f"[discord]\nbot_requests = {BUDGET}\nbot_period = {PERIOD}\n", "test config")
    apps = [App(config, postgres_url), App(config, postgres_url)]  # two engines, as two worker processes have
    digest = demanding_digest(4)  # three messages: under the channel window, so only the bot's budget paces them

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channels = [fake.add_channel(f"news-{n}") for n in range(4)]
            addresses = [f"discord:{channel_id}" for channel_id in channels]
            async with worker_directory(apps[0], fake.environ()) as first, worker_directory(
                apps[1], fake.environ()
            ) as second:
                await first.connect(addresses[:2])
                await second.connect(addresses[2:])
                posting = [first.channel(a) for a in addresses[:2]] + [second.channel(a) for a in addresses[2:]]
                for channel in posting:
                    assert isinstance(channel, DiscordChannel) and isinstance(channel.budget, SharedWindow)
                    assert (channel.budget.limit, channel.budget.period) == (BUDGET, PERIOD)
                await asyncio.gather(*(c.post_digest(digest, f"budget@{n}") for n, c in enumerate(posting)))
            for channel_id in channels:
                assert len(fake.messages(channel_id)) == 3
            times = sorted(at for _, path, at in fake.request_times if path.startswith("/channels/"))
            assert len(times) == 4 * (1 + 3)  # each post: one history read, three messages
            # any BUDGET + 1 consecutive requests span a period (arrivals jitter by a request's latency on a busy
            # machine; with a budget per worker, two workers' requests would come twice as close)
            spans = [times[i + BUDGET] - times[i] for i in range(len(times) - BUDGET)]
            assert min(spans) >= 0.7 * PERIOD, spans

    try:
        run_clean(scenario)
    finally:
        for app in apps:
            app.close()
