"""Polling one source and handing its articles over (to analysis jobs) instead of storing them."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from feeds_support import generated_stories

from bot.fakes.feed_server import FeedServer, rss_feed
from digests.models import Article
from digests.sources.ingest import HandOver, SourcesReport, due_sources, poll_source
from digests.sources.poller import PollOutcome, utc_now
from digests.sources.settings import FEED, FetchSettings, SourceSpec
from digests.sources.state import SourceState, SourceStates
from digests.storage import Store

LOCAL = FetchSettings(allow_hosts=("127.0.0.1",), total_timeout=5, read_timeout=2)
LATER = timedelta(days=1)  # a moment at which every source is due again


def poll(store: Store, spec: SourceSpec, hand_over: HandOver, later: bool = False, **options: int) -> SourcesReport:
    now = utc_now() + LATER if later else None
    return asyncio.run(poll_source(store, spec, LOCAL, hand_over, now=now, **options))


class Taker:
    """A hand-over that keeps the articles, and what the source's stored state was while it ran."""

    def __init__(self, store: Store, fail: bool = False) -> None:
        self.store = store
        self.fail = fail
        self.articles: list[Article] = []
        self.states_seen: list[SourceState | None] = []

    async def __call__(self, outcome: PollOutcome) -> str:
        self.states_seen.append(SourceStates(self.store).load([outcome.spec.url]).get(outcome.spec.url))
        if self.fail:
            raise RuntimeError("the queue is gone")
        self.articles.extend(outcome.articles)
        return f"{len(outcome.articles)} taken"


def test_one_source_hands_its_articles_over_and_stores_nothing(
    server: FeedServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    server.add("/news.xml", rss_feed("News", server.url(""), generated_stories(3), full=True), etag=True)
    spec = SourceSpec(server.url("/news.xml"), FEED, timedelta(minutes=15))
    taker = Taker(store)
    with caplog.at_level(logging.INFO, logger="digests.sources"):
        report = poll(store, spec, taker)
    assert (report.polled, report.failed, report.new) == (1, 0, [])
    assert len(taker.articles) == 3 and store.count() == 0
    [line] = [r.getMessage() for r in caplog.records if spec.url in r.getMessage()]
    assert "HTTP 200, 3 item(s): 3 taken; next poll in 15m" in line
    [during] = taker.states_seen
    assert during is not None and during.etag is None and during.last_new == 0  # validators saved only after
    state = SourceStates(store).load([spec.url])[spec.url]
    assert state.etag and state.last_status == 200 and state.next_poll_at and state.last_new == 0

    assert poll(store, spec, taker).polled == 0  # not due yet: nothing fetched
    assert len(server.requests("/news.xml")) == 1
    again = poll(store, spec, taker, later=True)
    assert (again.polled, again.not_modified) == (1, 1) and len(taker.articles) == 3  # a 304 hands nothing over
    assert server.requests("/news.xml")[-1].status == 304


def test_a_failed_hand_over_saves_no_validators_so_nothing_is_lost(server: FeedServer, store: Store) -> None:
    server.add("/news.xml", rss_feed("News", server.url(""), generated_stories(2), full=True), etag=True)
    spec = SourceSpec(server.url("/news.xml"), FEED)
    with pytest.raises(RuntimeError, match="the queue is gone"):
        poll(store, spec, Taker(store, fail=True))
    taker = Taker(store)
    report = poll(store, spec, taker)  # still due, asked without validators: the whole feed again
    assert report.polled == 1 and len(taker.articles) == 2
    assert [seen.status for seen in server.requests("/news.xml")] == [200, 200]
    assert "If-None-Match" not in server.requests("/news.xml")[-1].headers


def test_articles_stored_elsewhere_count_for_the_source(server: FeedServer, store: Store) -> None:
    server.add("/news.xml", rss_feed("News", server.url(""), generated_stories(2), full=True))
    spec = SourceSpec(server.url("/news.xml"), FEED)
    states = SourceStates(store)

    async def stored_at_once(outcome: PollOutcome) -> str:
        states.count_new(spec.url)  # an analysis job that finished before the poll saved its state
        return "1 stored elsewhere"

    poll(store, spec, stored_at_once)
    states.count_new(spec.url)  # and one after
    assert states.load([spec.url])[spec.url].last_new == 2
    server.add("/news.xml", "down", status=503)
    poll(store, spec, stored_at_once, later=True)
    failed = states.load([spec.url])[spec.url]
    assert (failed.last_new, failed.failures, failed.last_status) == (0, 1, 503)  # counted from zero each poll


def test_failures_are_counted_and_marked_as_in_a_full_poll(server: FeedServer, store: Store) -> None:
    server.add("/down.xml", "oops", status=500)
    spec = SourceSpec(server.url("/down.xml"), FEED)
    taker = Taker(store)
    first = poll(store, spec, taker, failure_threshold=2)
    second = poll(store, spec, taker, later=True, failure_threshold=2)
    assert first.transitions == [] and first.failed == 1
    assert [(t.failing, t.failures) for t in second.transitions] == [(True, 2)]
    assert taker.states_seen == []  # nothing to hand over
    assert [s.url for s in SourceStates(store).unannounced()] == [spec.url]


def test_a_poll_never_undoes_an_alert_posted_meanwhile(server: FeedServer, store: Store) -> None:
    server.add("/down.xml", "oops", status=500)
    spec = SourceSpec(server.url("/down.xml"), FEED)
    states = SourceStates(store)
    poll(store, spec, Taker(store), failure_threshold=1)
    loaded = states.load([spec.url])[spec.url]  # a poll in another process read the state ...
    states.mark_announced(spec.url, True)  # ... the scheduler posted the alert ...
    loaded.failures += 1
    states.save([loaded])  # ... and that poll saved what it read
    assert states.unannounced() == [] and states.load([spec.url])[spec.url].failures == 2


def test_due_sources_reads_states_without_fetching(server: FeedServer, store: Store) -> None:
    server.add("/a.xml", rss_feed("A", server.url(""), generated_stories(1), full=True))
    specs = [SourceSpec(server.url("/a.xml"), FEED), SourceSpec(server.url("/b.xml"), FEED)]
    poll(store, specs[0], Taker(store))
    due, states = due_sources(store, [*specs, specs[1]])
    assert due == [specs[1]] and set(states) == {specs[0].url}
    assert due_sources(store, specs, now=utc_now() + LATER)[0] == specs
    assert len(server.requests("/a.xml")) == 1 and server.requests("/b.xml") == []
