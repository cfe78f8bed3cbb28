"""An article as an analysis job's JSON arguments, and the job's lock keys."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from bot.jobs.articles import KEY_CHARS, article_from_payload, article_keys, article_payload, lock_key
from digests.models import Article

ARTICLE = Article(
    title="Bridge approved",
    body="The council approved the bridge.\n\nWork starts in May.",
    source="https://example.org/feed.xml",
    url="https://example.org/news/bridge",
    outlet="Example News",
    published=datetime(2026, 11, 29, 6, 30, tzinfo=UTC),
    author="Staff Reporter",
)


def test_an_article_survives_the_trip_through_json() -> None:
    assert article_from_payload(json.loads(json.dumps(article_payload(ARTICLE)))) == ARTICLE
    bare = Article(title="t", body="b", source="s")
    assert article_from_payload(json.loads(json.dumps(article_payload(bare)))) == bare


def test_lock_keys_stay_short_and_tell_items_apart() -> None:
    assert lock_key("source", "https://example.org/feed.xml") == "source:https://example.org/feed.xml"
    long = lock_key("source", "https://example.org/" + "x" * 500)
    assert long.startswith("source:") and len(long) < KEY_CHARS
    waiting, lock = article_keys("https://example.org/feed.xml", ARTICLE)
    assert lock == "article:https://example.org/news/bridge"
    assert article_keys("https://example.org/feed.xml", ARTICLE) == (waiting, lock)  # the same item: the same keys
    changed = replace(ARTICLE, body=ARTICLE.body + " Delayed.")
    update_waiting, update_lock = article_keys("https://example.org/feed.xml", changed)
    assert update_waiting != waiting and update_lock == lock  # an update waits on its own, runs after
    assert article_keys("https://example.org/other.xml", ARTICLE)[0] != waiting  # so does another feed's copy
    assert article_keys("", Article(title="t", body="b", source="s"))[1].startswith("article:")  # no URL: its words
