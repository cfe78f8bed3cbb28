"""The running bot polls its feeds through the scheduler and posts an alert once when one starts failing."""

from __future__ import annotations

import asyncio
import time

from feeds_support import generated_stories

from bot.app import App
from bot.config import parse_config
from bot.delivery import LedgerDelivery
from bot.fakes.feed_server import FeedServer, rss_feed
from bot.scheduler import DigestScheduler
from digests.models import Digest
from digests.storage.ledger import Ledger


class Recorder:
    """A channel that keeps what it is sent."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.posts: list[Digest] = []

    async def post_digest(self, digest: Digest, marker: str) -> str:
        self.posts.append(digest)
        return f"{self.address}:{len(self.posts)}"

    async def find_marker(self, marker: str) -> str | None:
        return None


def test_the_bot_polls_due_feeds_and_alerts_once(server: FeedServer, sqlite_url: str) -> None:
    server.add("/good.xml", rss_feed("Good", server.url(""), generated_stories(2), full=True), etag=True)
    server.add("/bad.xml", "down", status=503)
    config = f"""
[[sources]]
feed = "{server.url("/good.xml")}"
every = "1m"
[[sources]]
feed = "{server.url("/bad.xml")}"
every = "1m"
[fetch]
allow_hosts = ["127.0.0.1"]
failures_before_alert = 1
[alerts]
channel = "slack:#newsroom-ops"
"""
    app = App(parse_config(config, "test config"), sqlite_url)
    ops = Recorder("slack:#newsroom-ops")

    async def go() -> None:
        ledger = Ledger(app.store)
        scheduler = DigestScheduler(app, ledger, LedgerDelivery(ledger, lambda address: ops))
        await scheduler.start()
        try:
            deadline = time.monotonic() + 20
            while not ops.posts and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await scheduler.poll_sources()  # not due yet (1 minute): nothing is fetched again
        finally:
            await scheduler.shutdown()

    try:
        asyncio.run(go())
        assert app.store.count() == 2
        assert len(server.requests("/good.xml")) == 1 and len(server.requests("/bad.xml")) == 1
        [alert] = ops.posts
        assert alert.title == "newsdigest: a source is failing" and alert.notice is not None
        assert server.url("/bad.xml") in alert.notice and "HTTP 503" in alert.notice
    finally:
        app.close()


def test_news_sources_lists_feeds_with_their_last_fetch(server: FeedServer, sqlite_url: str) -> None:
    from bot.commands import CommandHandler

    server.add("/good.xml", rss_feed("Good Outlet", server.url(""), generated_stories(1), full=True), etag=True)
    config = f'[[sources]]\nfeed = "{server.url("/good.xml")}"\n[[sources]]\nfeed = "{server.url("/never.xml")}"\n'
    config += '[fetch]\nallow_hosts = ["127.0.0.1"]\n'
    app = App(parse_config(config, "test config"), sqlite_url)
    try:
        app.poll_web_sources(specs=app.web_sources()[0][:1])
        reply = asyncio.run(CommandHandler(app).handle("sources"))
    finally:
        app.close()
    assert reply.title == "Sources and stored articles"
    good, never = reply.text.splitlines()[:2]
    assert good.startswith(f"feed {server.url('/good.xml')} (Good Outlet): last fetch ")
    assert "HTTP 200, 1 new, next poll" in good and "0 consecutive failures" in good
    assert never == f"feed {server.url('/never.xml')}: not fetched yet"
    assert "Stored articles:" in reply.text and "approves bridge plan" in reply.text
