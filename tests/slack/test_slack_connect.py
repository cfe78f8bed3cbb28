"""A configured Slack that cannot connect: its real reason, permanent only for a rejected token, retried otherwise."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from slack_support import run

from bot.app import App
from bot.channels.base import DeliveryError
from bot.channels.registry import ChannelDirectory, ReconnectPolicy
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.fakes.slack_web_api import FakeSlack
from bot.runner import keep_connecting
from digests.storage.ledger import FAILED, OPEN_STATES, SENT, Ledger, SlotRequest

FAST = ReconnectPolicy(initial=0.05, maximum=0.2)


def environ(slack: FakeSlack, token: str | None = None) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": token or slack.bot_token, "SLACK_API_URL": slack.base_url}


def record(app: App, address: str) -> Ledger:
    ledger = Ledger(app.store)
    ids = tuple(s.id for s in app.store.articles(refresh=False))
    ledger.record_slot(SlotRequest("morning", datetime(2026, 6, 1, 8, tzinfo=UTC), (address,), article_ids=ids))
    return ledger


def test_rejected_token_fails_deliveries_permanently_with_that_reason(app: App) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            async with ChannelDirectory(app, environ(slack, "xoxb-wrong-token"), policy=FAST) as directory:
                await directory.connect(["slack:#news"])
                with pytest.raises(DeliveryError) as raised:
                    directory.channel("slack:#news")
                assert raised.value.permanent
                assert "rejected SLACK_BOT_TOKEN" in raised.value.reason and "not configured" not in raised.value.reason
                assert "xoxb-wrong-token" not in raised.value.reason
                assert directory.next_reconnect_in() is None  # retrying cannot help
                ledger = record(app, "slack:#news")
                [delivery] = await LedgerDelivery(ledger, directory.channel).deliver_due()
                assert delivery.state == FAILED and "rejected SLACK_BOT_TOKEN" in (delivery.last_error or "")

    run(scenario)


def test_outage_is_retried_and_deliveries_resume_after_reconnecting(app: App) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("auth.test", status=503, times=1000)
            async with ChannelDirectory(app, environ(slack), policy=FAST) as directory:
                await directory.connect(["slack:#news"])
                with pytest.raises(DeliveryError) as raised:
                    directory.channel("slack:#news")
                assert not raised.value.permanent and "503" in raised.value.reason
                ledger = record(app, "slack:#news")
                delivery = LedgerDelivery(ledger, directory.channel, RetryPolicy(initial=0.1, maximum=0.1))
                [waiting] = await delivery.deliver_due()
                assert waiting.state in OPEN_STATES and "503" in (waiting.last_error or "")
                assert "not configured" not in (waiting.last_error or "")

                slack.clear_failures()  # Slack is back
                await asyncio.wait_for(keep_connecting(directory, delivery), 10)
                assert "slack" in directory.platforms and directory.next_reconnect_in() is None
                await asyncio.sleep(0.15)
                [sent] = await delivery.deliver_due()
                assert sent.state == SENT
                assert len([m for m in slack.messages(channel_id) if "thread_ts" not in m]) == 1

    run(scenario)


def test_reconnect_backs_off_while_the_outage_lasts(app: App) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.fail("auth.test", status=503, times=1000)
            policy = ReconnectPolicy(initial=60.0, maximum=600.0)
            async with ChannelDirectory(app, environ(slack), policy=policy) as directory:
                await directory.connect(["slack:#news"])
                wait = directory.next_reconnect_in()
                assert wait is not None and 55 < wait <= 60
                assert await directory.reconnect() == []  # not due yet: no attempt
                directory.failures["slack"].retry_at = 0.0
                assert await directory.reconnect() == []
                failure = directory.failures["slack"]
                assert failure.attempts == 2 and not failure.permanent
                wait = directory.next_reconnect_in()
                assert wait is not None and 115 < wait <= 120

    run(scenario)


def test_only_a_missing_token_says_not_configured(app: App) -> None:
    directory = ChannelDirectory(app, environ={})
    run(lambda: directory.connect(["slack:#news"]))
    with pytest.raises(DeliveryError, match="Slack is not configured: set SLACK_BOT_TOKEN") as raised:
        directory.channel("slack:#news")
    assert raised.value.permanent and directory.next_reconnect_in() is None
