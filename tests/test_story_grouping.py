"""Story grouping in the store and the ledger, on real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from grouping_support import OTHER_STORY, article, bare_analysis, edited_copy, wire_body
from sqlalchemy import select, update

from digests.grouping.minhash import BANDS
from digests.ingest import ingest_articles
from digests.models import Article
from digests.pipeline import SummarySettings
from digests.storage import Store
from digests.storage.ledger import SKIPPED, Ledger, SlotRequest
from digests.storage.stories import GROUPING_WINDOW, delivered_stories, stories_of
from digests.storage.story_tables import ArticleStoryRow, StoryBandRow

SLOT = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    opened = Store(str(request.getfixturevalue(name)))
    yield opened
    opened.close()


def add(store: Store, item: Article) -> int:
    article_id, created = store.add(item, bare_analysis(item.body))
    assert created
    return article_id


def story(store: Store, article_id: int) -> int:
    with store.session() as session:
        return stories_of(session, [article_id])[article_id]


def test_another_outlets_copy_joins_the_story_and_a_different_story_does_not(store: Store) -> None:
    wire = add(store, article(wire_body(), "Daily Courier"))
    other = add(store, article(OTHER_STORY, "Northern Post"))
    copy = add(store, article(edited_copy(wire_body()), "Metro Wire"))
    assert story(store, wire) == wire
    assert story(store, copy) == wire
    assert story(store, other) == other
    with store.session() as session:
        bands = session.scalars(select(StoryBandRow.band).where(StoryBandRow.article_id == copy)).all()
        assert 0 < len(bands) <= BANDS

    kept, also_in = store.one_per_story(store.articles())
    assert [stored.id for stored in kept] == [wire, other]
    assert also_in == {wire: ("Metro Wire",), other: ()}


def test_the_same_canonical_url_is_the_same_story_whatever_the_text(store: Store) -> None:
    first = add(store, article(wire_body(), "Daily Courier", "https://www.example.org/world/story?utm_source=rss"))
    updated = add(store, article(OTHER_STORY, "Daily Courier", "http://example.org/world/story/#comments"))
    assert story(store, updated) == first
    kept, also_in = store.one_per_story(store.articles())
    assert [stored.id for stored in kept] == [first]
    assert also_in[first] == ()  # the same outlet is not "also in" itself


def test_only_recent_articles_are_compared(store: Store) -> None:
    old = add(store, article(wire_body(), "Daily Courier"))
    long_ago = datetime.now(UTC) - GROUPING_WINDOW - timedelta(hours=1)
    with store.session() as session, session.begin():
        session.execute(update(StoryBandRow).values(ingested_at=long_ago))
    copy = add(store, article(edited_copy(wire_body()), "Metro Wire"))
    assert story(store, copy) == copy
    with store.session() as session:
        assert session.scalars(select(StoryBandRow.article_id).distinct()).all() == [copy]  # old bands pruned
        assert session.get(ArticleStoryRow, old) is not None  # the signature itself is kept


def test_a_later_outlet_never_posts_a_story_twice_and_one_window_gives_one_item(store: Store) -> None:
    ledger = Ledger(store)
    wire = add(store, article(wire_body(), "Daily Courier", "https://courier.example/a"))
    first = ledger.record_slot(SlotRequest("morning", SLOT, ("console", "slack:#news")))
    assert [d.article_ids for d in first.deliveries] == [(wire,), (wire,)]

    add(store, article(edited_copy(wire_body()), "Metro Wire"))
    later = ledger.record_slot(SlotRequest("morning", SLOT + timedelta(hours=4), ("console", "discord:1")))
    console, discord = later.deliveries
    assert console.state == SKIPPED and console.article_ids == ()  # console already had the story
    assert len(discord.article_ids) == 1  # a channel that never had it gets it once
    item = ledger.digest_for(discord).items[0]
    assert item.also_in == ("Daily Courier",)

    other = add(store, article(OTHER_STORY, "Northern Post"))
    third = add(store, article(edited_copy(wire_body()).replace("Metro Wire", "Coastal Times"), "Coastal Times"))
    evening = ledger.record_slot(SlotRequest("evening", SLOT + timedelta(hours=8), ("email-desk",)))
    (delivery,) = evening.deliveries
    digest = ledger.digest_for(delivery)
    assert [i.article_id for i in digest.items] == [wire, other]  # the first schedule of its own: one per story
    assert digest.items[0].also_in == ("Metro Wire", "Coastal Times")
    assert third not in delivery.article_ids


def test_a_one_off_digest_lists_each_story_once(store: Store) -> None:
    ledger = Ledger(store)
    wire = add(store, article(wire_body(), "Daily Courier"))
    copy = add(store, article(edited_copy(wire_body()), "Metro Wire"))
    record = ledger.record_slot(SlotRequest("once", SLOT, ("console",), article_ids=(wire, copy)))
    digest = ledger.digest_for(record.deliveries[0])
    assert [(i.article_id, i.also_in) for i in digest.items] == [(wire, ("Metro Wire",))]


def test_the_exact_text_from_another_outlet_is_stored_once_and_listed(store: Store) -> None:
    wire = add(store, article(wire_body(), "Daily Courier", "https://courier.example/a"))
    copies = [
        article(wire_body(), "Metro Wire", "https://metro.example/b?utm_source=rss"),
        article(wire_body(), "Metro Wire", "https://metro.example/b"),  # the same sighting again
        article(wire_body(), "Daily Courier", "https://courier.example/a#top"),  # its own outlet
        article(wire_body(), None, "https://www.coastal.example/c"),  # no outlet: the host names it
    ]
    report = ingest_articles(store, copies, SummarySettings())
    assert report.duplicate == [wire] * 4 and not report.new
    kept, also_in = store.one_per_story(store.articles())
    assert [stored.id for stored in kept] == [wire]
    assert also_in[wire] == ("Metro Wire", "coastal.example")
    ledger = Ledger(store)
    record = ledger.record_slot(SlotRequest("morning", SLOT, ("console",)))
    assert ledger.digest_for(record.deliveries[0]).items[0].also_in == ("Metro Wire", "coastal.example")


def test_story_lookups_take_any_number_of_ids(store: Store) -> None:
    wire = add(store, article(wire_body(), "Daily Courier"))
    copy = add(store, article(edited_copy(wire_body()), "Metro Wire"))
    many = [*range(copy + 1, copy + 1201), copy]
    with store.session() as session:
        found = stories_of(session, many)
        assert found[copy] == wire and all(found[i] == i for i in many[:-1])
        assert delivered_stories(session, "console", list(found.values())) == set()
