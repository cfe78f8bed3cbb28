"""The whole route as a user runs it: two feeds and one page served locally, `newsdigest run --once` twice."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from feeds_support import corpus_stories, write_config

from bot.cli import cli
from bot.fakes.feed_server import FeedServer, article_page, json_feed, rss_feed


def newsdigest(*args: str) -> Result:
    """The CLI in this process (a fresh process per run costs seconds of imports)."""
    return CliRunner().invoke(cli, list(args))


def test_two_feeds_and_a_page_give_a_digest_once(
    server: FeedServer, tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    stories = corpus_stories(5)
    # the first story as another outlet ran it: its own address and headline, a credit line added
    wire_copy = replace(
        stories[0],
        slug="/world/wire-copy.html",
        title="Wire: " + stories[0].title,
        paragraphs=(*stories[0].paragraphs, "Additional reporting by agencies."),
    )
    for story in (*stories, wire_copy):
        server.add(story.slug, article_page(story), etag=True)
    base = server.url("")
    server.add("/politics/rss.xml", rss_feed("Politics Wire", base, stories[:2]), etag=True, gzip=True)
    server.add("/feed.json", json_feed("Daily JSON", base, [*stories[2:4], wire_copy]), etag=True)
    server.add("/dead.xml", "gone", status=500)
    (tmp_path / "feeds.opml").write_text(
        f'<opml version="2.0"><body><outline text="Dead" xmlUrl="{server.url("/dead.xml")}"/></body></opml>'
    )
    config = write_config(
        tmp_path,
        f"""
[[sources]]
feed = "{server.url("/politics/rss.xml")}"
every = "15m"
[[sources]]
feed = "{server.url("/feed.json")}"
outlet = "The JSON Post"
[[sources]]
url = "{server.url(stories[4].slug)}"
[[sources]]
opml = "{tmp_path / "feeds.opml"}"

[fetch]
contact = "newsroom-ops@example.org"
allow_hosts = ["127.0.0.1"]
failures_before_alert = 2

[alerts]
channel = "console"

[cards]
directory = "{tmp_path / "cards"}"
""",
    )
    run = ("--config", str(config), "--db", sqlite_url, "run", "--once", "--channel", "console")
    with caplog.at_level(logging.INFO, logger="digests.sources"):
        first = newsdigest(*run)
    assert first.exit_code == 0, first.output
    for story in stories:
        assert story.title in first.stdout
    assert first.stdout.count("Quote card: ") >= 1
    assert "The JSON Post" in first.stdout and "Politics Wire" in first.stdout
    # the same story from two outlets is one item, naming the other outlet
    headlines = [line for line in first.stdout.splitlines() if re.match(r"\d+\. ", line)]
    assert len(headlines) == len(stories), headlines
    also_in = [line.strip() for line in first.stdout.splitlines() if "Also in: " in line]
    assert also_in in (["Also in: Politics Wire"], ["Also in: The JSON Post"]), also_in
    dead = [record.getMessage() for record in caplog.records if "/dead.xml" in record.getMessage()]
    assert len(dead) == 1 and "HTTP 500" in dead[0] and not any(record.exc_info for record in caplog.records)

    second = newsdigest(*run)
    assert second.exit_code == 0, second.output
    assert "No new articles." in second.stdout and stories[0].title not in second.stdout
    for path in ("/politics/rss.xml", "/feed.json", stories[4].slug):
        assert [seen.status for seen in server.requests(path)] == [200, 304]
    assert "a source is failing" in second.stdout and "/dead.xml failed 2 times in a row" in second.stdout

    listing = newsdigest("--config", str(config), "--db", sqlite_url, "sources")
    assert listing.exit_code == 0, listing.output
    lines = listing.stdout.splitlines()
    rss = next(line for line in lines if "/politics/rss.xml" in line)
    assert "(Politics Wire)" in rss and "HTTP 304" in rss and "0 new" in rss and "next poll" in rss
    assert "0 consecutive failures" in rss
    dead_line = next(line for line in lines if "/dead.xml" in line)
    assert "2 consecutive failures" in dead_line and "FAILING: HTTP 500" in dead_line

    third = newsdigest(*run)
    assert "a source is failing" not in third.stdout  # posted once, not at every failure


def test_ingest_takes_urls_and_refuses_private_addresses(
    server: FeedServer, tmp_path: Path, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    stories = corpus_stories(2)
    server.add(stories[0].slug, article_page(stories[0]))
    server.add("/rss", rss_feed("Wire", server.url(""), stories[1:], full=True), "application/xml")
    refused = newsdigest("--db", sqlite_url, "ingest", server.url("/rss"))
    assert refused.exit_code == 0
    assert "0 new" in refused.stdout and "1 URL(s) failed" in refused.stdout
    assert any("non-public address" in record.getMessage() for record in caplog.records)
    config = write_config(tmp_path, '[fetch]\nallow_hosts = ["127.0.0.1"]\n')
    urls = (server.url("/rss"), server.url(stories[0].slug))
    done = newsdigest("--config", str(config), "--db", sqlite_url, "ingest", *urls)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("2 new, 0 duplicate, 0 rejected"), done.stdout
