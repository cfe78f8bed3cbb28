"""Polling feeds and pages from the local server: conditional requests, failures, backoff, identity."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from feeds_support import corpus_stories, generated_stories

from bot.fakes.feed_server import FeedServer, Story, article_page, atom_feed, json_feed, rss_feed
from digests.pipeline import analyse
from digests.sources.ingest import SourcesReport, poll_sources
from digests.sources.settings import AUTO, FEED, PAGE, FetchSettings, SourceSpec
from digests.sources.state import SourceStates
from digests.storage import Store

LOCAL = FetchSettings(allow_hosts=("127.0.0.1",), contact="ops@example.org", total_timeout=5, read_timeout=2)


def poll(store: Store, specs: list[SourceSpec], settings: FetchSettings = LOCAL, **options: object) -> SourcesReport:
    return poll_sources(store, specs, settings, analyse, force=True, **options)  # type: ignore[arg-type]


def serve_pages(server: FeedServer, stories: list[Story]) -> None:
    for story in stories:
        server.add(story.slug, article_page(story))


def test_rss_atom_and_json_feeds_store_full_text_then_304(server: FeedServer, store: Store) -> None:
    stories = corpus_stories(6)
    serve_pages(server, stories)
    base = server.url("")
    server.add("/rss.xml", rss_feed("Teaser Times", base, stories[:2]), etag=True, gzip=True)
    modified = datetime(2026, 11, 29, tzinfo=UTC)
    server.add("/atom.xml", atom_feed("Atom Daily", base, stories[2:4]), last_modified=modified)
    server.add("/feed.json", json_feed("JSON Post", base, stories[4:6]), etag=True)
    specs = [SourceSpec(server.url(p), FEED) for p in ("/rss.xml", "/atom.xml", "/feed.json")]

    first = poll(store, specs)
    assert (len(first.new), first.failed) == (6, 0)
    by_url = {stored.article.url: stored.article for stored in store.articles()}
    rss_story = by_url[server.url(stories[0].slug)]
    assert rss_story.title == stories[0].title  # from the feed, never glued to the text
    assert rss_story.body.startswith(stories[0].paragraphs[0][:40])  # full text from the page, not the teaser
    assert len(rss_story.body) > len(stories[0].teaser) * 2
    assert rss_story.outlet == "Teaser Times" and rss_story.author == stories[0].author
    assert "Copyright" not in rss_story.body and "Home" not in rss_story.body.split()[:3]
    assert by_url[server.url(stories[2].slug)].author == stories[2].author
    assert server.requests(stories[2].slug) == []  # Atom carried the full text: no page fetch
    seen = server.requests("/rss.xml")[0].headers
    assert "newsdigest/" in seen["User-Agent"] and "ops@example.org" in seen["User-Agent"]
    assert "gzip" in seen["Accept-Encoding"]

    second = poll(store, specs)
    assert (second.new, second.not_modified) == ([], 3)
    assert server.requests("/rss.xml")[-1].status == 304 and server.requests("/atom.xml")[-1].status == 304
    assert server.requests("/feed.json")[-1].headers["If-None-Match"]
    assert len(server.requests(stories[0].slug)) == 1  # a 304 costs no parsing and no page fetch


def test_broken_feeds_give_one_line_each_and_never_stop_the_others(
    server: FeedServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    stories = generated_stories(2)
    base = server.url("")
    server.add("/good.xml", rss_feed("Good", base, stories, full=True))
    server.add("/busy.xml", "slow down", status=429, headers={"Retry-After": "120"})
    server.add("/down.xml", "oops", status=500)
    server.add("/slow.xml", rss_feed("Slow", base, stories, full=True), delay=1.5)
    server.add("/huge.xml", b"<rss>" + b"x" * 300_000 + b"</rss>", "application/rss+xml")
    server.add("/stream.xml", content_type="application/rss+xml", stream_bytes=2_000_000)
    server.add("/page.xml", article_page(stories[0]), "text/html")
    server.add("/broken.xml", "<rss version='2.0'><channel><title>Broken</title><item><title>A</title>", "text/xml")
    server.add("/garbage.xml", "this is not xml at all {", "application/xml")
    server.add("/empty.xml", "", "application/rss+xml")
    server.add("/loop1", redirect="/loop2")
    server.add("/loop2", redirect="/loop1")
    settings = replace(LOCAL, max_bytes=200_000, read_timeout=1, total_timeout=2)
    bad = ["/busy.xml", "/down.xml", "/slow.xml", "/huge.xml", "/stream.xml", "/page.xml", "/garbage.xml"]
    bad += ["/empty.xml", "/loop1"]
    specs = [SourceSpec(server.url(p), FEED) for p in ["/good.xml", *bad, "/broken.xml"]]
    with caplog.at_level(logging.INFO, logger="digests.sources"):
        report = poll(store, specs, settings)
    assert len(report.new) == 2 and report.failed == len(bad)
    lines = {record.getMessage().split(": ", 1)[0].split()[-1]: record for record in caplog.records}
    reasons = {
        "/busy.xml": "HTTP 429",
        "/down.xml": "HTTP 500",
        "/slow.xml": "timed out",
        "/huge.xml": "exceeds the 200000-byte limit",
        "/stream.xml": "exceeds the 200000-byte limit",
        "/page.xml": "an HTML page, not a feed",
        "/garbage.xml": "not a feed",
        "/empty.xml": "empty document",
        "/loop1": "more than 5 redirects",
    }
    for path, reason in reasons.items():
        record = lines[server.url(path)]
        assert record.levelno == logging.WARNING and reason in record.getMessage(), record.getMessage()
        assert record.exc_info is None and "\n" not in record.getMessage()
    assert "failed" not in lines[server.url("/broken.xml")].getMessage()  # recoverable XML is read, not refused
    failed_lines = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failed_lines) == len(bad)  # one line per broken feed


def test_backoff_and_retry_after_are_honoured(server: FeedServer, store: Store) -> None:
    server.add("/busy.xml", "slow down", status=429, headers={"Retry-After": "600"})
    server.add("/down.xml", "oops", status=500)
    every = timedelta(minutes=15)
    specs = [SourceSpec(server.url("/busy.xml"), FEED, every), SourceSpec(server.url("/down.xml"), FEED, every)]
    poll(store, specs)
    poll(store, specs)  # forced, but the 429's Retry-After still holds: not asked again
    assert len(server.requests("/busy.xml")) == 1 and len(server.requests("/down.xml")) == 2
    states = SourceStates(store).load(spec.url for spec in specs)
    down = states[server.url("/down.xml")]
    assert down.failures == 2 and down.last_status == 500
    assert down.next_poll_at and down.last_fetch_at
    assert down.next_poll_at - down.last_fetch_at == every * 4  # exponential: 15m * 2**2
    busy = states[server.url("/busy.xml")]
    assert busy.not_before and busy.last_fetch_at and busy.not_before - busy.last_fetch_at == timedelta(seconds=600)
    # Not forced and not due: nothing is fetched.
    poll_sources(store, specs, LOCAL, analyse)
    assert len(server.requests("/down.xml")) == 2


def test_failing_threshold_marks_and_recovers_once(server: FeedServer, store: Store) -> None:
    server.add("/flaky.xml", "oops", status=503)
    spec = [SourceSpec(server.url("/flaky.xml"), FEED)]
    transitions = [t for _ in range(4) for t in poll(store, spec, failure_threshold=2).transitions]
    assert [(t.failing, t.failures) for t in transitions] == [(True, 2)]
    server.add("/flaky.xml", rss_feed("Flaky", server.url(""), generated_stories(1), full=True))
    recovered = poll(store, spec, failure_threshold=2).transitions
    assert [(t.failing, t.reason) for t in recovered] == [(False, "recovered")]
    assert poll(store, spec, failure_threshold=2).transitions == []
    state = SourceStates(store).load([spec[0].url])[spec[0].url]
    assert (state.failures, state.failing) == (0, False)


def test_an_alert_stays_due_until_it_is_posted(server: FeedServer, store: Store) -> None:
    server.add("/flaky.xml", "oops", status=503)
    spec = [SourceSpec(server.url("/flaky.xml"), FEED)]
    states = SourceStates(store)
    poll(store, spec, failure_threshold=1)  # e.g. by `newsdigest ingest`, which posts no alerts
    [due] = states.unannounced()
    assert due.failing and due.last_error and "HTTP 503" in due.last_error
    assert [s.url for s in states.unannounced()] == [spec[0].url]  # still due: nothing was posted
    states.mark_announced(due.url, True)
    assert states.unannounced() == []
    server.add("/flaky.xml", rss_feed("Flaky", server.url(""), generated_stories(1), full=True))
    poll(store, spec, failure_threshold=1)
    [recovered] = states.unannounced()
    assert not recovered.failing


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    opened = Store(str(url))
    yield opened
    opened.close()


def test_same_story_by_two_routes_is_one_article_and_an_update_keeps_its_id(
    server: FeedServer, any_store: Store
) -> None:
    store = any_store
    [story] = generated_stories(1)
    serve_pages(server, [story])
    base = server.url("")
    server.add("/a.xml", rss_feed("A", base, [story], full=True))
    server.add("/b.json", json_feed("B", base, [story]))
    first = poll(store, [SourceSpec(server.url("/a.xml")), SourceSpec(server.url("/b.json"))])
    page = poll(store, [SourceSpec(server.url(story.slug), PAGE)])
    assert len(first.new) == 1 and len(first.duplicate) == 1 and store.count() == 1
    assert page.new == [] and store.count() == 1
    [original] = store.articles()
    changed = replace(story, paragraphs=(*story.paragraphs[:-1], "The vote was postponed after a late objection."))
    server.add("/a.xml", rss_feed("A", base, [changed], full=True))
    update = poll(store, [SourceSpec(server.url("/a.xml"))])
    assert update.new == [] and update.updated == [original.id] and store.count() == 1
    [stored] = store.articles()
    assert "postponed" in stored.article.body and stored.id == original.id
    assert any("postponed" in sentence for sentence in stored.analysis.sentences)  # analysed again


def test_ingest_detects_feeds_and_pages_by_content(server: FeedServer, store: Store) -> None:
    stories = generated_stories(2)
    serve_pages(server, stories)
    server.add("/feed", atom_feed("Detected", server.url(""), stories[:1]), "text/plain")
    report = poll(store, [SourceSpec(server.url("/feed"), AUTO), SourceSpec(server.url(stories[1].slug), AUTO)])
    assert report.failed == 0 and len(report.new) == 2
    kinds = {s.url: s.kind for s in SourceStates(store).all()}
    assert kinds == {server.url("/feed"): FEED, server.url(stories[1].slug): PAGE}


def test_article_pages_honour_robots_txt(server: FeedServer, store: Store) -> None:
    stories = generated_stories(2)
    serve_pages(server, stories)
    server.add("/robots.txt", f"User-agent: *\nDisallow: {stories[1].slug}\n")
    server.add("/teasers.xml", rss_feed("T", server.url(""), stories))
    report = poll(store, [SourceSpec(server.url("/teasers.xml"))])
    assert server.requests(stories[1].slug) == [] and len(server.requests(stories[0].slug)) == 1
    bodies = sorted(len(s.article.body) for s in store.articles())
    assert len(report.new) == 2 and bodies[0] <= 200 < bodies[1]  # the disallowed one keeps the feed's teaser


def test_a_feed_without_validators_is_not_parsed_again_when_its_bytes_are_the_same(
    server: FeedServer, store: Store
) -> None:
    server.add("/plain.xml", rss_feed("Plain", server.url(""), generated_stories(1), full=True))
    spec = [SourceSpec(server.url("/plain.xml"))]
    assert len(poll(store, spec).new) == 1
    again = poll(store, spec)
    assert (again.unchanged, again.not_modified, again.new) == (1, 0, [])
    assert "unchanged (the same bytes as last time)" in again.lines[0]
    assert "If-None-Match" not in server.requests("/plain.xml")[-1].headers
