"""Queue mode on PostgreSQL: the scheduler only queues feed polls; worker jobs fetch, analyse and store.

The scheduler and the worker run in this process against a real PostgreSQL database and the local feed server;
the worker's jobs run through Procrastinate as ``newsdigest worker`` runs them.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from feeds_support import generated_stories
from sqlalchemy import text

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.channels.registry import ChannelDirectory
from bot.config import parse_config
from bot.delivery import LedgerDelivery
from bot.fakes.feed_server import FeedServer, Story, rss_feed
from bot.jobs.queue import ANALYSE_ARTICLE, POLL_SOURCE, QUEUES, JobQueue
from bot.jobs.worker import WorkerRuntime
from bot.ops.metrics import REGISTRY
from bot.runner import job_queue, retry_policy
from bot.scheduler import DigestScheduler
from digests.models import Article
from digests.sources.state import SourceStates
from digests.storage.ledger import SENT, Ledger

SCHEDULE = "morning"


def config(server: FeedServer) -> str:
    return f"""
[[sources]]
feed = "{server.url("/news.xml")}"
every = "15m"
outlet = "Local News"
[[sources]]
feed = "{server.url("/down.xml")}"
every = "15m"
[[schedules]]
name = "{SCHEDULE}"
cron = "0 6 * * *"
channels = ["console"]
[fetch]
allow_hosts = ["127.0.0.1"]
failures_before_alert = 1
[alerts]
channel = "console"
[queue]
enabled = true
concurrency = 1
"""


@dataclass
class Cluster:
    """The elected scheduler's poll check and a worker's job runs, side by side in this process."""

    app: App
    queue: JobQueue
    scheduler: DigestScheduler
    runtime: WorkerRuntime
    printed: io.StringIO

    def jobs(self) -> dict[str, int]:
        """Jobs waiting or running, by task."""
        query = text("SELECT task_name, count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') GROUP BY 1")
        with self.app.store.engine.connect() as connection:
            return {str(name): int(count) for name, count in connection.execute(query)}

    async def work(self) -> None:
        """Run the worker's jobs until none is left (each may queue more)."""
        for _ in range(20):
            await self.queue.app.run_worker_async(
                queues=list(QUEUES),
                concurrency=1,
                wait=False,
                additional_context={"runtime": self.runtime},
                install_signal_handlers=False,
                delete_jobs="successful",
            )
            if not await asyncio.to_thread(self.jobs):
                return
        raise AssertionError(f"jobs left: {self.jobs()}")

    def make_due(self, url: str) -> None:
        states = SourceStates(self.app.store)
        state = states.load([url])[url]
        states.save([replace(state, next_poll_at=datetime.now(UTC) - timedelta(seconds=1))])


@asynccontextmanager
async def cluster(app: App) -> AsyncIterator[Cluster]:
    printed = io.StringIO()
    async with job_queue(app) as queue, ChannelDirectory(app, {}, ConsoleChannel(printed)) as directory:
        assert queue is not None
        ledger = Ledger(app.store)
        delivery = LedgerDelivery(ledger, directory.channel, retry_policy(app))
        scheduler = DigestScheduler(app, ledger, delivery, queue.enqueue_slot, queue.enqueue_polls)
        yield Cluster(app, queue, scheduler, WorkerRuntime(app, directory, queue, retry_policy(app)), printed)


@pytest.fixture
def app(server: FeedServer, postgres_url: str) -> Iterator[App]:
    opened = App(parse_config(config(server), "test config"), postgres_url)
    yield opened
    opened.close()


def serve(server: FeedServer, stories: list[Story], etag: bool = True) -> None:
    server.add("/news.xml", rss_feed("Local News", server.url(""), stories, full=True), etag=etag)


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_polls_and_analyses_are_jobs_and_every_article_is_stored_once(server: FeedServer, app: App) -> None:
    stories = generated_stories(4)
    serve(server, stories[:3])
    server.add("/down.xml", "oops", status=503)
    news = server.url("/news.xml")
    polls_before = metric("newsdigest_feed_polls_total", result="new")
    ingested_before = metric("newsdigest_articles_ingested_total")

    async def go() -> None:
        async with cluster(app) as it:
            await it.scheduler.poll_sources()
            await it.scheduler.poll_sources()  # both polls still wait: nothing queued twice
            assert it.jobs() == {POLL_SOURCE: 2}
            assert server.requests("/news.xml") == server.requests("/down.xml") == []  # the leader fetched nothing

            await it.work()
            assert len(server.requests("/news.xml")) == 1 and len(server.requests("/down.xml")) == 1
            assert app.store.count() == 3
            assert all(stored.analysis.summary for stored in app.store.articles())
            assert {stored.article.outlet for stored in app.store.articles()} == {"Local News"}
            assert SourceStates(app.store).load([news])[news].last_new == 3
            assert metric("newsdigest_feed_polls_total", result="new") - polls_before == 1
            assert metric("newsdigest_articles_ingested_total") - ingested_before == 3

            # The scheduler posts the failing source's alert, once.
            await it.scheduler.poll_sources()
            await it.scheduler.poll_sources()
            assert it.printed.getvalue().count("newsdigest: a source is failing") == 1
            assert it.jobs() == {}  # nothing due: no poll queued

            # Polled again with new bytes (no validators): the three stored ones are not stored again.
            serve(server, stories, etag=False)
            it.make_due(news)
            await it.scheduler.poll_sources()
            await it.work()
            assert len(server.requests("/news.xml")) == 2 and app.store.count() == 4
            assert SourceStates(app.store).load([news])[news].last_new == 1
            assert metric("newsdigest_articles_ingested_total") - ingested_before == 4

            # The slot's digest, built by a worker job, holds them.
            slot = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
            await it.queue.enqueue_slot(SCHEDULE, slot)
            await it.work()
            [delivery] = it.runtime.ledger.deliveries(schedule=SCHEDULE)
            assert delivery.state == SENT
            digest = it.runtime.ledger.digest_for(delivery)
            assert sorted(item.title for item in digest.items) == sorted(story.title for story in stories)
            assert len(server.requests("/news.xml")) == 2  # building the slot polled nothing

    asyncio.run(go())


def test_an_item_waits_in_the_queue_once_and_an_update_still_gets_its_job(server: FeedServer, app: App) -> None:
    feed = server.url("/news.xml")
    body = "The council approved the bridge. " * 20
    article = Article(title="Bridge approved", body=body, source=feed, url=feed + "#1")

    async def go() -> None:
        async with cluster(app) as it:
            assert await it.queue.enqueue_article(feed, article)
            assert not await it.queue.enqueue_article(feed, article)  # the same item, still waiting
            assert await it.queue.enqueue_article(server.url("/other.xml"), article)  # another feed's copy
            update = replace(article, body=article.body + "Work starts in May.")
            assert await it.queue.enqueue_article(feed, update)  # new words: an update, queued
            assert it.jobs() == {ANALYSE_ARTICLE: 3}
            await it.work()
            [stored] = app.store.articles()  # stored, seen again, then updated in place (in queue order)
            assert "Work starts in May." in stored.article.body
            assert any("Work starts in May." in sentence for sentence in stored.analysis.sentences)
            assert await it.queue.enqueue_article(feed, article)  # done: may be queued again
            await it.work()
            assert app.store.count() == 1

    asyncio.run(go())


def test_an_article_over_the_size_limit_is_not_queued_and_says_why(
    server: FeedServer, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    small, large = generated_stories(2)
    large = replace(large, paragraphs=large.paragraphs * 4)
    serve(server, [small, large])
    limited = App(parse_config(config(server) + "[ingest]\nmax_article_mb = 0.004\n", "test config"), postgres_url)

    async def go() -> None:
        async with cluster(limited) as it:
            await it.queue.enqueue_polls([spec for spec in limited.web_sources()[0] if spec.url.endswith("/news.xml")])
            await it.work()

    try:
        with caplog.at_level(logging.INFO, logger="digests.sources"):
            asyncio.run(go())
        assert [stored.article.title for stored in limited.store.articles()] == [small.title]
    finally:
        limited.close()
    messages = [record.getMessage() for record in caplog.records]
    [refused] = [m for m in messages if "not queued" in m]
    assert server.url(large.slug) in refused and "the limit is 4.0 KB, set by [ingest] max_article_mb" in refused
    assert any("2 item(s): 1 queued for analysis, 1 too large" in m for m in messages)
