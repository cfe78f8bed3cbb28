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
