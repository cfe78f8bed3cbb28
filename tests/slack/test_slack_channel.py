"""Posting digests with the real slack_sdk against the local fake of Slack's Web API."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_support import make_digest, run

from bot.channels.base import DeliveryError
from bot.cli import cli
from bot.delivery import deliver_to_all
from bot.fakes.slack_web_api import FakeSlack
from bot.slack.channel import EVENT_TYPE, ChannelResolver, SlackChannel
from bot.slack.client import Pacing, make_client

HOSTILE = "<!channel> & <@U123> <http://x|y> <!here> <!everyone>"


def slack_channel(slack: FakeSlack, address: str) -> SlackChannel:
    client = make_client(slack.bot_token, slack.base_url, backoff=0.05, pacing=Pacing(scale=0.05))
    return SlackChannel(address, client, ChannelResolver(client))


def test_thirty_article_digest_posts_in_a_thread_within_limits() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            message_id = await slack_channel(slack, "slack:#news").post_digest(make_digest(30), "m-30")
            posted = slack.messages(channel_id)
            assert len(posted) == 2
            first, second = posted
            assert message_id == f"{channel_id}/{first['ts']}"
            assert second["thread_ts"] == first["ts"] and "thread_ts" not in first
            assert all(len(m["blocks"]) <= 50 for m in posted)
            assert first["metadata"] == {
                "event_type": EVENT_TYPE,
                "event_payload": {"marker": "m-30", "part": 1, "parts": 2},
            }
            assert first["unfurl_links"] is False
            text = json.dumps(posted)
            assert all(f"budget number {n} after" in text for n in range(1, 31))

    run(scenario)


def test_article_text_cannot_ping_link_or_format() -> None:
    markdown = "**bold** *b* _i_ ~s~ `code` [click](https://evil.example)"

    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            digest = make_digest(
                1, headline=f"Title {HOSTILE} {markdown}", summary=(f"Body {HOSTILE} {markdown}",), outlet=HOSTILE
            )
            await slack_channel(slack, "slack:#news").post_digest(digest, "m")
            (message,) = slack.messages("#news")
            blocks = json.dumps(message["blocks"], ensure_ascii=False)
            assert '"mrkdwn"' not in blocks  # nothing in the blocks is parsed for formatting, links or mentions
            (section,) = [b for b in message["blocks"] if b["type"] == "rich_text"]
            bold, headline, body, *_ = section["elements"][0]["elements"]
            assert bold == {"type": "text", "text": "1. ", "style": {"bold": True}}
            assert headline["text"] == f"Title {HOSTILE} {markdown}" and headline["style"] == {"bold": True}
            assert body == {"type": "text", "text": f"\nBody {HOSTILE} {markdown}"}
            for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<http://x|y>"):
                assert forbidden not in message["text"]  # the notification fallback is mrkdwn: escaped
            assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in message["text"]

    run(scenario)


def test_quote_card_is_uploaded_with_its_own_alt_text(tmp_path: Path) -> None:
    card = tmp_path / "card-1.png"
    card.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)
    alt = "Quote card. “The only responsible choice,” said the mayor. Example News."

    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            digest = make_digest(1, card_path=str(card), card_alt_text=alt)
            await slack_channel(slack, "slack:#news").post_digest(digest, "m")
            (upload,) = slack.uploads
            first = slack.messages(channel_id)[0]
            assert upload["channel"] == channel_id and upload["thread_ts"] == first["ts"]
            assert upload["content"] == card.read_bytes() and upload["filename"] == "card-1.png"
            assert upload["alt_txt"] == alt
            assert upload["title"].startswith("Quote card: Council approves")

    run(scenario)


def test_older_stored_digest_without_alt_text_describes_the_card_by_headline(tmp_path: Path) -> None:
    card = tmp_path / "card-1.png"
    card.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)

    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            await slack_channel(slack, "slack:#news").post_digest(make_digest(1, card_path=str(card)), "m")
            (upload,) = slack.uploads
            assert upload["alt_txt"].startswith("Quote card for the article “Council approves budget number 1")

    run(scenario)


def test_rate_limit_then_success_posts_exactly_once() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("chat.postMessage", status=429, retry_after=0)
            await slack_channel(slack, f"slack:{channel_id}").post_digest(make_digest(2), "m-429")
            assert len(slack.calls_to("chat.postMessage")) == 2
            assert len(slack.messages(channel_id)) == 1

    run(scenario)


def test_server_error_is_retried_then_posted() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            slack.fail("chat.postMessage", status=503, times=2)
            await slack_channel(slack, "slack:#news").post_digest(make_digest(2), "m-503")
            assert len(slack.calls_to("chat.postMessage")) == 3
            assert len(slack.messages(channel_id)) == 1

    run(scenario)


def test_persistent_server_errors_are_transient_delivery_errors() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            slack.fail("chat.postMessage", status=500, times=10)
            with pytest.raises(DeliveryError) as raised:
                await slack_channel(slack, "slack:#news").post_digest(make_digest(1), "m")
            assert raised.value.permanent is False
            assert "after retries" in raised.value.reason

    run(scenario)


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ({"member": False}, "invite it with /invite"),
        ({"archived": True}, "archived"),
    ],
)
def test_permanent_errors_are_permanent(setup: dict[str, bool], words: str) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news", **setup)
            with pytest.raises(DeliveryError) as raised:
                await slack_channel(slack, f"slack:{channel_id}").post_digest(make_digest(1), "m")
            assert raised.value.permanent is True and words in raised.value.reason
            assert raised.value.channel == f"slack:{channel_id}"

    run(scenario)


def test_unknown_channel_logs_one_clear_line(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            channels = {a: slack_channel(slack, a) for a in ("slack:#nowhere", "slack:C0GONE0001", "slack:#news")}
            outcome = await deliver_to_all(make_digest(1), list(channels), "m", channels.__getitem__)
            assert set(outcome.failed) == {"slack:#nowhere", "slack:C0GONE0001"}
            assert list(outcome.sent) == ["slack:#news"] and len(slack.messages("#news")) == 1

    with caplog.at_level(logging.INFO):
        run(scenario)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2
    assert "slack:#nowhere" in errors[0] and "no channel #nowhere" in errors[0] and "\n" not in errors[0]
    assert "slack:C0GONE0001" in errors[1] and "no such channel" in errors[1]
    assert not any("xoxb-" in r.getMessage() for r in caplog.records)


def test_names_resolve_through_paginated_conversations_list() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.page_size = 2
            ids = [slack.add_channel(name) for name in ("a", "b", "c", "d", "newsroom")]
            client = make_client(slack.bot_token, slack.base_url)
            resolver = ChannelResolver(client)
            assert await resolver.resolve("slack:#newsroom") == ids[-1]
            assert await resolver.resolve("slack:#a") == ids[0]
            assert await resolver.resolve("slack:C0DIRECT01") == "C0DIRECT01"
            assert len(slack.calls_to("conversations.list")) == 3  # one paginated load, then cached

    run(scenario)


def test_find_marker_reads_message_metadata() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            channel = slack_channel(slack, "slack:#news")
            first = await channel.post_digest(make_digest(20), "schedule-morning-2025-06-01")
            await channel.post_digest(make_digest(1), "schedule-evening-2025-06-01")
            assert await channel.find_marker("schedule-morning-2025-06-01") == first
            assert await channel.find_marker("schedule-morning-2025-06-02") is None
            (call, *_) = slack.calls_to("conversations.history")
            assert call["include_all_metadata"] in (True, "true", "1", 1)

    run(scenario)


def test_run_once_posts_to_slack(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSlack().running_in_thread() as slack:
        channel_id = slack.add_channel("news")
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.bot_token)
        monkeypatch.setenv("SLACK_API_URL", slack.base_url)
        result = CliRunner().invoke(cli, ["--db", sqlite_url, "run", "--once", "--channel", "slack:#news"])
        assert result.exit_code == 0, result.output
        message, *replies = slack.messages(channel_id)
        assert message["blocks"][0]["type"] == "header"
        assert all(reply.get("thread_ts") == message["ts"] for reply in replies)  # quote cards, in the thread
        assert message["metadata"]["event_type"] == EVENT_TYPE and message["metadata"]["event_payload"]["marker"]


def test_run_once_with_a_bad_token_fails_in_one_line(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeSlack().running_in_thread() as slack:
        slack.add_channel("news")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong")
        monkeypatch.setenv("SLACK_API_URL", slack.base_url)
        result = CliRunner().invoke(cli, ["--db", sqlite_url, "run", "--once", "--channel", "slack:#news"])
        assert result.exit_code == 1
        assert slack.messages("#news") == []
        assert "xoxb-wrong" not in result.output


def test_a_digest_interrupted_half_way_is_completed_not_repeated() -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            channel = slack_channel(slack, "slack:#news")
            slack.fail("chat.postMessage", status=500, times=10, after=1)  # part 1 posts, part 2 keeps failing
            with pytest.raises(DeliveryError) as raised:
                await channel.post_digest(make_digest(40), "m-half")
            assert raised.value.permanent is False
            assert len(slack.messages(channel_id)) == 1
            assert await channel.find_marker("m-half") is None  # incomplete: the ledger must post again
            slack.clear_failures()
            message_id = await channel.post_digest(make_digest(40), "m-half")
            posted = slack.messages(channel_id)
            parts = [m["metadata"]["event_payload"]["part"] for m in posted]
            assert parts == [1, 2, 3] and message_id == f"{channel_id}/{posted[0]['ts']}"
            assert await channel.find_marker("m-half") == message_id

    run(scenario)


def test_posting_the_same_marker_again_posts_nothing(tmp_path: Path) -> None:
    card = tmp_path / "card-1.png"
    card.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)

    async def scenario() -> None:
        async with FakeSlack() as slack:
            channel_id = slack.add_channel("news")
            channel = slack_channel(slack, "slack:#news")
            digest = make_digest(1, card_path=str(card))
            first = await channel.post_digest(digest, "m-again")
            assert len(slack.messages(channel_id)) == 2 and len(slack.uploads) == 1  # the digest and its card
            assert await channel.post_digest(digest, "m-again") == first
            assert len(slack.messages(channel_id)) == 2 and len(slack.uploads) == 1
            assert await channel.post_digest(digest, "m-other") != first
            assert len(slack.messages(channel_id)) == 4 and len(slack.uploads) == 2

    run(scenario)
