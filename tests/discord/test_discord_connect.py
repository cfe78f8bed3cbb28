"""A configured Discord that cannot connect: its real reason, permanent only for a rejected token, retried otherwise."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from discord_support import run_clean

from bot.app import App
from bot.channels.base import DeliveryError
from bot.channels.registry import ChannelDirectory, ReconnectPolicy
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.fakes.discord_server import FakeDiscord
from digests.storage.ledger import FAILED, OPEN_STATES, SENT, Ledger, SlotRequest

FAST = ReconnectPolicy(initial=0.0, maximum=0.0)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def record(app: App, address: str) -> Ledger:
    ledger = Ledger(app.store)
    ids = tuple(s.id for s in app.store.articles(refresh=False))
    ledger.record_slot(SlotRequest("morning", datetime(2026, 6, 1, 8, tzinfo=UTC), (address,), article_ids=ids))
    return ledger


def test_rejected_token_fails_permanently_with_that_reason(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            environ = {**fake.environ(), "DISCORD_TOKEN": "not-the-token"}
            async with ChannelDirectory(discord_app, environ, policy=FAST) as directory:
                await directory.connect([f"discord:{channel_id}"])
                ledger = record(discord_app, f"discord:{channel_id}")
                [delivery] = await LedgerDelivery(ledger, directory.channel).deliver_due()
                assert delivery.state == FAILED
                assert "rejected the bot token" in (delivery.last_error or "")
                assert "not configured" not in (delivery.last_error or "")
                assert directory.next_reconnect_in() is None and fake.messages(channel_id) == []

    run_clean(scenario)


def test_unreachable_discord_is_retried_and_deliveries_resume(discord_app: App) -> None:
    async def scenario() -> None:
        async with FakeDiscord() as fake:
            channel_id = fake.add_channel("newsroom")
            address = f"discord:{channel_id}"
            environ = {**fake.environ(), "DISCORD_API_URL": f"http://127.0.0.1:{closed_port()}/api/v10"}
            async with ChannelDirectory(discord_app, environ, policy=FAST) as directory:
                await directory.connect([address])
                with pytest.raises(DeliveryError, match="cannot reach Discord") as raised:
                    directory.channel(address)
                assert not raised.value.permanent
                ledger = record(discord_app, address)
                delivery = LedgerDelivery(ledger, directory.channel, RetryPolicy(initial=0.0, maximum=0.0))
                [waiting] = await delivery.deliver_due()
                assert waiting.state in OPEN_STATES and "cannot reach Discord" in (waiting.last_error or "")

                environ.update(fake.environ())  # Discord answers again
                assert await directory.reconnect() == ["discord"]
                [sent] = await delivery.deliver_due()
                assert sent.state == SENT and len(fake.messages(channel_id)) == 1

    run_clean(scenario)
