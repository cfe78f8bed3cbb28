"""Discord pacing and faults: 5 messages per period per channel, 429 Retry-After honoured, garbled answers transient."""

from __future__ import annotations

import pytest
from discord_support import connected, demanding_digest, run_clean

from bot.app import App
from bot.channels.base import DeliveryError
from bot.discord.channel import CHANNEL_MESSAGES
from bot.fakes.discord_server import FakeDiscord

PERIOD = 0.5  # Discord's 5 s shrunk tenfold so the test runs fast; the rule is the same


def test_a_long_digest_keeps_to_five_messages_per_period(discord_app: App) -> None:
    digest = demanding_digest(30)

    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            async with connected(discord_app, fake, serve_commands=False, channel_period=PERIOD) as platform:
                await platform.channel(f"discord:{channel_id}").post_digest(digest, "paced@1")
            times = fake.times_of("POST", f"/channels/{channel_id}/messages")
            assert len(times) > CHANNEL_MESSAGES + 1
            # any CHANNEL_MESSAGES + 1 consecutive messages span a period (arrivals jitter by a request's latency on
            # a busy machine; unpaced, the span is a few hundredths of a second)
            spans = [times[i + CHANNEL_MESSAGES] - times[i] for i in range(len(times) - CHANNEL_MESSAGES)]
            assert min(spans) >= 0.7 * PERIOD, spans

    run_clean(scenario)


def test_retry_after_is_honoured(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            fake.fail("POST", f"/channels/{channel_id}/messages", status=429, retry_after=0.4)
            async with connected(discord_app, fake, serve_commands=False) as platform:
                await platform.channel(f"discord:{channel_id}").post_digest(demanding_digest(1), "limited@1")
            first, second = fake.times_of("POST", f"/channels/{channel_id}/messages")
            assert second - first >= 0.4
            assert len(fake.messages(channel_id)) == 1

    run_clean(scenario)


def test_a_garbled_answer_is_a_transient_one_line_error(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            path = f"/channels/{channel_id}/messages"
            async with connected(discord_app, fake, serve_commands=False) as platform:
                fake.fail("POST", path, status=200, body='{"id": "1", garbled', times=10)
                with pytest.raises(DeliveryError) as raised:
                    await platform.channel(f"discord:{channel_id}").post_digest(demanding_digest(1), "garbled@1")
                assert not raised.value.permanent and "unreadable" in raised.value.reason
            fake.fail("GET", "/users/@me", status=200, body="{garbled", times=10)
            with pytest.raises(DeliveryError) as raised:
                async with connected(discord_app, fake, serve_commands=False):
                    pass
            assert not raised.value.permanent and "unreadable" in raised.value.reason

    run_clean(scenario)
