"""Slack's HTTP mode under attack: malformed, unsigned, replayed, oversized and slow requests, over real sockets."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from slack_support import SIGNING_SECRET, run

from bot.app import App
from bot.fakes.slack_web_api import FakeSlack, form_body, signed_headers
from bot.slack.http_guard import HttpLimits, SeenSignatures
from bot.slack.platform import EVENTS_PATH, SlackPlatform, SlackSettings

LIMITS = HttpLimits(header_timeout=0.5, body_timeout=0.3, max_body=4096)


@asynccontextmanager
async def guarded_bot(app: App) -> AsyncIterator[tuple[FakeSlack, int]]:
    """The fake Slack and the port of the bot's HTTP endpoint, with short timeouts."""
    async with FakeSlack() as slack:
        settings = SlackSettings(bot_token=slack.bot_token, signing_secret=SIGNING_SECRET, api_url=slack.base_url)
        platform = SlackPlatform(app, settings)
        platform.http_limits = LIMITS
        await platform.start(serve_commands=False)
        port = await platform.serve_http("127.0.0.1", 0)
        try:
            yield slack, port
        finally:
            await platform.stop()


def sign(body: bytes, stamp: str | None = None) -> str:
    stamp = stamp or str(int(time.time()))
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()


async def post(port: int, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, str]:
    url = f"http://127.0.0.1:{port}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session, session.request(method, url, data=body, headers=headers) as answer:
        return answer.status, await answer.text()


async def raw(port: int, data: bytes, wait: float = 3.0) -> bytes:
    """Send raw bytes; return what the server answered before closing (or ``wait`` seconds passed)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(4096), wait)
    finally:
        writer.close()


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records if r.exc_info]


def test_malformed_requests_are_4xx_before_anything_runs(app: App, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with guarded_bot(app) as (slack, port):
            form = form_body(slack.slash_command("/news", "help"))
            now = str(int(time.time()))
            utf16 = "command=/news&text=help".encode("utf-16")
            json_list = b'[{"type": "url_verification"}]'

            def signed(body: bytes, content_type: str = "application/x-www-form-urlencoded") -> dict[str, str]:
                stamped = {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(body, now)}
                return {"Content-Type": content_type, **stamped}

            bad_stamp = {**signed_headers(SIGNING_SECRET, form), "X-Slack-Request-Timestamp": "1e9x"}
            cases = {
                "non-numeric timestamp": (form, bad_stamp),
                "unsigned JSON": (b'{"type": "event_callback"}', {"Content-Type": "application/json"}),
                "missing headers": (form, {"Content-Type": "application/x-www-form-urlencoded"}),
                "signed UTF-16": (utf16, signed(utf16)),
                "signed JSON that is a list": (json_list, signed(json_list, "application/json")),
                "signed garbled JSON": (b"{oops", signed(b"{oops", "application/json")),
                "form that is JSON": (b"{}", signed(b"{}")),
                "too large": (b"x" * 5000, signed(b"x" * 5000)),
            }
            for name, (body, headers) in cases.items():
                status, text = await post(port, body, headers)
                assert 400 <= status < 500, (name, status, text)
                assert "Traceback" not in text and len(text.splitlines()) == 1, (name, text)
            assert (await post(port, b"", {}, method="GET"))[0] == 405
            await asyncio.sleep(0.2)
            assert slack.responses == [] and [name for name, _ in slack.calls] == ["auth.test"]

    with caplog.at_level(logging.INFO):
        run(scenario)
    no_tracebacks(caplog)


def test_a_replayed_request_is_refused_and_runs_once(app: App) -> None:
    async def scenario() -> None:
        async with guarded_bot(app) as (slack, port):
            body = form_body(slack.slash_command("/news", "help"))
            headers = signed_headers(SIGNING_SECRET, body)
            assert (await post(port, body, headers))[0] == 200
            status, text = await post(port, body, headers)
            assert status == 409 and "replay" in text
            await slack.wait_for_responses(1)
            await asyncio.sleep(0.3)
            assert len(slack.responses) == 1

    run(scenario)


def test_huge_declared_bodies_and_chunked_bodies_are_refused_at_once(app: App) -> None:
    async def scenario() -> None:
        async with guarded_bot(app) as (_, port):
            now = str(int(time.time()))
            head = (
                f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"X-Slack-Request-Timestamp: {now}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
            )
            answer = await raw(port, (head + "Content-Length: 10000000000\r\n\r\nabc").encode(), wait=2)
            assert answer.startswith(b"HTTP/1.1 413"), answer
            chunked = await raw(port, (head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n").encode(), wait=2)
            assert chunked.startswith(b"HTTP/1.1 411"), chunked

    run(scenario)


def test_slow_bodies_time_out_and_idle_connections_are_closed(app: App) -> None:
    async def scenario() -> None:
        async with guarded_bot(app) as (slack, port):
            body = form_body(slack.slash_command("/news", "help"))
            headers = signed_headers(SIGNING_SECRET, body)
            head = f"POST {EVENTS_PATH} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            started = time.monotonic()
            answer = await raw(port, head.encode() + body[:10], wait=3)
            assert answer.startswith(b"HTTP/1.1 408"), answer
            assert time.monotonic() - started < 2.5
            # connected, nothing sent: closed after the header timeout (read returns b"" at close)
            assert await raw(port, b"", wait=3) == b""
            # headers trickling in but never finished: closed too
            assert await raw(port, b"POST /slack/events HTTP/1.1\r\nHost: x\r\n", wait=3) == b""
            assert slack.responses == []

    run(scenario)


def test_seen_signatures_are_bounded_and_forgotten_after_the_window() -> None:
    seen = SeenSignatures(window=300, limit=3)
    assert seen.first_time("a", 0) and not seen.first_time("a", 1)
    assert seen.first_time("b", 2) and seen.first_time("c", 3) and seen.first_time("d", 4)
    assert len(seen) == 3  # "a" made room
    assert seen.first_time("e", 1000) and len(seen) == 1  # the old ones expired


def test_accepted_json_events_reach_bolt(app: App) -> None:
    async def scenario() -> None:
        async with guarded_bot(app) as (_, port):
            body = json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"}).encode()
            now = str(int(time.time()))
            headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": now}
            status, text = await post(port, body, {**headers, "X-Slack-Signature": sign(body, now)})
            assert status == 200 and "abc" in text

    run(scenario)
