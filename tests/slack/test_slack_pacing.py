"""Pacing and transient faults against the fake Web API: call times recorded by the fake, never wall-clock totals."""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path

import pytest
from slack_support import make_digest, run
from test_slack_connect import environ, record

from bot.app import App
from bot.channels.base import DeliveryError
from bot.channels.registry import ChannelDirectory, ReconnectPolicy
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.fakes.slack_web_api import FakeSlack
from bot.runner import keep_connecting
from bot.slack.channel import CARDS_PER_UPLOAD, ChannelResolver, SlackChannel
from bot.slack.client import POST_INTERVAL, TIER_INTERVALS, Pacing, make_client
from digests.storage.ledger import OPEN_STATES, SENT

SCALE = 0.1  # Slack's intervals shrunk tenfold so the test runs fast; the spacing rules are the same


def assert_paced(times: list[float], interval: float) -> None:
    """Calls spread at least ``interval`` apart on average, and no two closer than half of it (arrival times vary
    by a request's latency on a busy machine, send times do not)."""
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    if gaps:
        assert times[-1] - times[0] >= 0.9 * interval * len(gaps), (interval, gaps)
        assert min(gaps) >= 0.5 * interval, (interval, gaps)


def paced_channel(slack: FakeSlack, address: str, scale: float = SCALE) -> SlackChannel:
    client = make_client(slack.bot_token, slack.base_url, backoff=0.05, pacing=Pacing(scale=scale))
    return SlackChannel(address, client, ChannelResolver(client))


def test_cards_share_upload_calls_and_every_method_stays_paced(tmp_path: Path) -> None:
    cards = 25
    for n in range(1, cards + 1):
        (tmp_path / f"card-{n}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * 300)
    digest = make_digest(cards)
    items = tuple(
        type(item)(**{**item.__dict__, "card_path": str(tmp_path / f"card-{item.article_id}.png")})
        for item in digest.items
    )
    digest = type(digest)(title=digest.title, created_at=digest.created_at, items=items)

    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            await paced_channel(slack, "slack:#news").post_digest(digest, "m-cards")
            assert len(slack.uploads) == cards and {u["thread_ts"] for u in slack.uploads} != {None}
            assert len(slack.calls_to("files.completeUploadExternal")) == -(-cards // CARDS_PER_UPLOAD)
            for method, interval in TIER_INTERVALS.items():
                assert_paced(slack.times_of(method), interval * SCALE)
            posts = slack.times_of("chat.postMessage", channel_id)
            posts = sorted(posts + slack.times_of("files.completeUploadExternal", channel_id))
            assert len(posts) == 2 + 3  # two digest parts, three card messages
            assert_paced(posts, POST_INTERVAL * SCALE)

    run(scenario)


def test_retry_after_is_honoured() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("chat.postMessage", status=429, retry_after=1)
            await paced_channel(slack, f"slack:{channel_id}", scale=0.01).post_digest(make_digest(1), "m-429")
            first, second = slack.times_of("chat.postMessage")
            assert second - first >= 1.0
            assert len(slack.messages(channel_id)) == 1

    run(scenario)


@pytest.mark.parametrize("body", ["", "{garbled", "<html>bad gateway</html>"], ids=["blank", "garbled", "html"])
def test_an_unreadable_answer_once_is_retried_then_posted(body: str) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("chat.postMessage", body=body)
            await paced_channel(slack, f"slack:{channel_id}").post_digest(make_digest(1), "m-blank")
            assert len(slack.calls_to("chat.postMessage")) == 2
            assert len(slack.messages(channel_id)) == 1

    run(scenario)


def test_unreadable_answers_that_last_are_transient_one_line_errors() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("chat.postMessage", body="", times=100)
            with pytest.raises(DeliveryError) as raised:
                await paced_channel(slack, f"slack:{channel_id}").post_digest(make_digest(1), "m-blank")
            assert not raised.value.permanent and "blank or unreadable" in raised.value.reason

    run(scenario)


def test_a_garbled_auth_test_never_strands_a_delivery(app: App, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("auth.test", body='{"ok": tru', times=1000)
            policy = ReconnectPolicy(initial=0.05, maximum=0.2)
            async with ChannelDirectory(app, environ(slack), policy=policy) as directory:
                await directory.connect(["slack:#news"])
                with pytest.raises(DeliveryError) as raised:
                    directory.channel("slack:#news")
                assert not raised.value.permanent
                ledger = record(app, "slack:#news")
                delivery = LedgerDelivery(ledger, directory.channel, RetryPolicy(initial=0.1, maximum=0.1))
                [waiting] = await delivery.deliver_due()
                assert waiting.state in OPEN_STATES and waiting.next_attempt_at is not None
                slack.clear_failures()
                await asyncio.wait_for(keep_connecting(directory, delivery), 20)
                await asyncio.sleep(0.15)
                [sent] = await delivery.deliver_due()
                assert sent.state == SENT and len(slack.messages(channel_id)) == 1

    with caplog.at_level(logging.INFO):
        run(scenario)
    assert not [r for r in caplog.records if r.exc_info]
