"""``/news`` through the real slack-bolt: signed HTTP requests, response_url replies, Socket Mode."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from slack_support import SIGNING_SECRET, make_digest, run

from bot.answer_queue import AnswerQueue
from bot.app import App
from bot.fakes.slack_web_api import FakeSlack, form_body, signed_headers
from bot.slack.platform import EVENTS_PATH, SlackPlatform, SlackSettings

COMMAND_CHANNEL = "C0COMMANDS"


@asynccontextmanager
async def http_bot(app: App) -> AsyncIterator[tuple[FakeSlack, str]]:
    """The fake Slack and the bot's /slack/events URL, served over HTTP on a random port."""
    async with FakeSlack() as slack:
        slack.add_channel("newsroom", channel_id=COMMAND_CHANNEL)
        settings = SlackSettings(bot_token=slack.bot_token, signing_secret=SIGNING_SECRET, api_url=slack.base_url)
        platform = SlackPlatform(app, settings)
        await platform.start(serve_commands=False)
        port = await platform.serve_http("127.0.0.1", 0)
        try:
            yield slack, f"http://127.0.0.1:{port}{EVENTS_PATH}"
        finally:
            await platform.stop()


async def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def command(slack: FakeSlack, url: str, text: str, channel_id: str = COMMAND_CHANNEL) -> dict[str, Any]:
    """Send ``/news text`` signed like Slack; check the ack; return the reply sent to the response_url."""
    body = form_body(slack.slash_command("/news", text, channel_id=channel_id))
    before = len(slack.responses)
    status, ack_body = await post(url, body, signed_headers(SIGNING_SECRET, body))
    assert status == 200 and ack_body == ""
    responses = await slack.wait_for_responses(before + 1)
    return responses[before]


def flat(reply: dict[str, Any]) -> str:
    return json.dumps([reply.get("text"), reply.get("blocks")], ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "response_type", "expected"),
    [
        ("help", "ephemeral", "/news figures [article] - the figures an article reports"),
        ("", "ephemeral", "Tell me what to do."),
        ("bogus stuff", "ephemeral", "Unknown sub-command 'bogus'."),
        ("ask", "ephemeral", "Ask a question, for example"),
        ("digest no-such-topic-anywhere", "ephemeral", "No articles match."),
        ("figures no-such-article-xyz", "ephemeral", "No stored article matches 'no-such-article-xyz'"),
    ],
)
def test_short_replies_only_the_caller_sees(app: App, text: str, response_type: str, expected: str) -> None:
    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            reply = await command(slack, url, text)
            assert reply["response_type"] == response_type
            assert expected in flat(reply)

    run(scenario)


def test_digest_sources_figures_quotes(app: App) -> None:
    newest = app.store.newest()
    assert newest is not None
    title = newest.article.title

    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            digest = await command(slack, url, "digest")
            assert digest["response_type"] == "in_channel"
            assert digest["blocks"][0] == {
                "type": "header",
                "text": {"type": "plain_text", "text": app.config.digest.title, "emoji": False},
            }
            assert title[:40] in flat(digest)

            sources = await command(slack, url, "sources")
            assert sources["response_type"] == "in_channel" and f"#{newest.id} {title[:40]}" in flat(sources)

            figures = await command(slack, url, f"figures {newest.id}")
            assert '"text": "Figures in “' in flat(figures) and '"style": {"bold": true}' in flat(figures)
            for figure in newest.analysis.figures[:3]:
                assert figure.text in flat(figures)

            quotes = await command(slack, url, "quotes")
            assert '"text": "Quotes in “' in flat(quotes)
            for quote in newest.analysis.quotes[:2]:
                assert quote.text[:30] in flat(quotes)

    run(scenario)


@pytest.mark.skipif(importlib.util.find_spec("digests.answers") is None, reason="answer engine not built yet")
def test_ask_answers_with_citations(app: App) -> None:
    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            reply = await command(slack, url, "ask Who signed the letter?")
            assert reply["response_type"] == "in_channel"
            text = flat(reply)
            assert "Q: Who signed the letter?" in text and "[1] " in text

    run(scenario)


def test_card_is_uploaded_to_the_channel_with_alt_text(app: App) -> None:
    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            reply = await command(slack, url, "card")
            if "No quote card" in flat(reply):
                pytest.skip("the seed article gives no card: " + flat(reply))
            (upload,) = slack.uploads
            assert upload["channel"] == COMMAND_CHANNEL
            assert upload["content"].startswith(b"\x89PNG") and upload["filename"].endswith(".png")
            assert upload["alt_txt"].startswith("Quote card: “")
            assert reply["response_type"] == "ephemeral" and "Quote card posted" in reply["text"]

    run(scenario)


def test_card_in_a_channel_without_the_bot_explains(app: App) -> None:
    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            outside = slack.add_channel("elsewhere", member=False)
            reply = await command(slack, url, "card", channel_id=outside)
            text = flat(reply)
            if "No quote card" in text:
                pytest.skip("the seed article gives no card")
            assert reply["response_type"] == "ephemeral" and "invite it with /invite" in text
            assert slack.uploads == []

    run(scenario)


@pytest.mark.parametrize("forgery", ["bad signature", "stale timestamp", "no headers"])
def test_forged_or_stale_requests_get_401(app: App, forgery: str) -> None:
    async def scenario() -> None:
        async with http_bot(app) as (slack, url):
            body = form_body(slack.slash_command("/news", "digest"))
            if forgery == "bad signature":
                headers = signed_headers("not-the-secret", body)
            elif forgery == "stale timestamp":
                headers = signed_headers(SIGNING_SECRET, body, timestamp=int(time.time()) - 10 * 60)
            else:
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
            status, _ = await post(url, body, headers)
            assert status == 401
            await asyncio.sleep(0.2)
            assert slack.responses == [] and slack.calls_to("auth.test") == [slack.calls[0][1]]

    run(scenario)


def test_socket_mode_round_trip(app: App) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            settings = SlackSettings(bot_token=slack.bot_token, app_token=slack.app_token, api_url=slack.base_url)
            platform = SlackPlatform(app, settings)
            assert settings.mode == "socket"
            await platform.start(serve_commands=True)
            try:
                ack = await slack.push_slash_command("/news", "help")
                assert set(ack) == {"envelope_id"} or ack.get("payload") in (None, {})
                (reply,) = await slack.wait_for_responses(1)
                assert reply["response_type"] == "ephemeral" and "/news ask" in flat(reply)
                assert slack.calls_to("apps.connections.open")
            finally:
                await platform.stop()

    run(scenario)


def test_a_rejected_app_token_turns_commands_off_but_digests_still_post(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            slack.add_channel("news")
            settings = SlackSettings(bot_token=slack.bot_token, app_token="xapp-revoked", api_url=slack.base_url)
            platform = SlackPlatform(app, settings)
            await asyncio.wait_for(platform.start(serve_commands=True), 10)
            try:
                digest = make_digest(1)
                assert await platform.channel("slack:#news").post_digest(digest, "after-bad-app-token")
            finally:
                await platform.stop()

    with caplog.at_level(logging.INFO):
        run(scenario)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["Slack /news is off: Socket Mode failed: Slack rejected SLACK_APP_TOKEN (invalid_auth)"]


def test_a_full_answer_queue_says_busy_at_once(app: App) -> None:
    async def scenario() -> None:
        async with FakeSlack() as slack:
            settings = SlackSettings(bot_token=slack.bot_token, signing_secret=SIGNING_SECRET, api_url=slack.base_url)
            platform = SlackPlatform(app, settings)
            platform.commands.queue = AnswerQueue(workers=1, capacity=1, max_wait=60)
            await platform.start(serve_commands=False)
            port = await platform.serve_http("127.0.0.1", 0)
            url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
            release = asyncio.Event()
            try:
                held = [platform.commands.queue.submit(release.wait)]
                await asyncio.sleep(0.05)  # a worker takes it
                held.append(platform.commands.queue.submit(release.wait))  # and one waits: the queue is full
                body = form_body(slack.slash_command("/news", "sources", channel_id=COMMAND_CHANNEL))
                status, ack = await post(url, body, signed_headers(SIGNING_SECRET, body))
                assert status == 200 and "busy" in ack, ack  # said in the ack itself: at once
                assert not any(f is None or f.done() for f in held)  # refused while the queue was still full
                await asyncio.sleep(0.3)
                assert slack.responses == []  # and not answered later
                release.set()
                after = await command(slack, url, "sources")  # room again: answered
                assert after["response_type"] == "in_channel" and "Stored articles" in flat(after)
            finally:
                release.set()
                await platform.stop()

    run(scenario)
