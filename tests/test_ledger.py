"""The delivery ledger on real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from digests.models import Analysis, Article, Figure
from digests.storage import Store
from digests.storage.ledger import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    ArticleFilter,
    Ledger,
    LedgerError,
    SlotRequest,
    delivery_marker,
    digest_from_dict,
    digest_to_dict,
)

SLOT = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def ledger(db_url: str) -> Ledger:
    store = Store(db_url)
    yield Ledger(store)
    store.close()


def add(ledger: Ledger, title: str, body: str, source: str = "desk/general/a.txt") -> int:
    analysis = Analysis(
        sentences=(body,),
        summary=(body,),
        figures=(Figure(text="41", kind="count", sentence=body, value=41.0, counts="officers"),),
    )
    article_id, created = ledger.store.add(Article(title=title, body=body, source=source), analysis)
    assert created
    return article_id


def request(schedule: str, slot: datetime, *channels: str, **options: object) -> SlotRequest:
    return SlotRequest(schedule=schedule, slot=slot, channels=channels or ("console",), **options)  # type: ignore[arg-type]


def test_recording_a_slot_twice_creates_no_second_digest_or_delivery(ledger: Ledger) -> None:
    add(ledger, "Bridge opens", "The mayor opened the bridge.")
    first = ledger.record_slot(request("morning", SLOT, "console", "slack:#news"))
    second = ledger.record_slot(request("morning", SLOT, "console", "slack:#news"))
    assert first.created and not second.created
    assert first.digest_id == second.digest_id
    assert [d.id for d in first.deliveries] == [d.id for d in second.deliveries]
    assert len(ledger.deliveries()) == 2
    assert {d.state for d in ledger.deliveries()} == {PENDING}
    assert ledger.slots("morning") == [SLOT]


def test_concurrent_recording_of_one_slot_keeps_one(ledger: Ledger) -> None:
    add(ledger, "Bridge opens", "The mayor opened the bridge.")
    records = []

    def record() -> None:
        records.append(ledger.record_slot(request("morning", SLOT, "console")))

    threads = [threading.Thread(target=record) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.digest_id for r in records}) == 1
    assert sum(r.created for r in records) == 1
    assert len(ledger.deliveries()) == 1


def test_window_holds_articles_since_the_previous_digest(ledger: Ledger) -> None:
    first_id = add(ledger, "Bridge opens", "The mayor opened the bridge.")
    one = ledger.record_slot(request("morning", SLOT))
    second_id = add(ledger, "Road closes", "Rain closed the road.")
    two = ledger.record_slot(request("morning", SLOT + timedelta(days=1)))
    assert one.deliveries[0].article_ids == (first_id,)
    assert two.deliveries[0].article_ids == (second_id,)
    items = ledger.digest_for(two.deliveries[0]).items
    assert [i.title for i in items] == ["Road closes"]


def test_an_article_is_never_repeated_in_the_same_channel(ledger: Ledger) -> None:
    shared = add(ledger, "Bridge opens", "The mayor opened the bridge.")
    morning = ledger.record_slot(request("morning", SLOT, "slack:#news", "console"))
    # A second schedule posting to one of the same channels has the article in its window too.
    evening = ledger.record_slot(
        request("evening", SLOT + timedelta(hours=10), "slack:#news", "discord:123456789012345678")
    )
    by_channel = {d.channel: d for d in evening.deliveries}
    assert morning.deliveries[0].article_ids == (shared,)
    assert by_channel["slack:#news"].article_ids == ()
    assert by_channel["slack:#news"].state == SKIPPED
    assert by_channel["discord:123456789012345678"].article_ids == (shared,)
    assert ledger.delivered_articles("slack:#news") == [shared]


def test_empty_window_posts_nothing_or_a_no_news_digest_by_config(ledger: Ledger) -> None:
    quiet = ledger.record_slot(request("quiet", SLOT))
    chatty = ledger.record_slot(request("chatty", SLOT, post_empty=True))
    assert quiet.deliveries[0].state == SKIPPED
    assert ledger.due() == [ledger.get(chatty.deliveries[0].id)]
    assert ledger.digest_for(chatty.deliveries[0]).is_empty


def test_cap_keeps_the_newest_and_filters_apply(ledger: Ledger) -> None:
    ids = [add(ledger, f"Budget vote {n}", f"Council budget story number {n}.") for n in range(5)]
    sport = add(ledger, "Cup final", "The cup final went to penalties.", source="desk/sport/final.txt")
    capped = ledger.record_slot(request("capped", SLOT, max_items=2))
    assert capped.deliveries[0].article_ids == (ids[4], sport)
    keyword = ledger.record_slot(request("kw", SLOT, "slack:#a", filter=ArticleFilter(keywords=("budget",))))
    assert keyword.deliveries[0].article_ids == tuple(ids)
    topic = ledger.record_slot(request("topic", SLOT, "slack:#b", filter=ArticleFilter(topic="sport")))
    assert topic.deliveries[0].article_ids == (sport,)
    source = ledger.record_slot(request("src", SLOT, "slack:#c", filter=ArticleFilter(sources=("desk/sport",))))
    assert source.deliveries[0].article_ids == (sport,)
    nothing = ledger.record_slot(request("none", SLOT, "slack:#d", filter=ArticleFilter(keywords=("budge",))))
    assert nothing.deliveries[0].state == SKIPPED


def test_stored_digest_rebuilds_exactly(ledger: Ledger) -> None:
    add(ledger, "Bridge opens", "The mayor opened the bridge, and 41 officers watched.")
    record = ledger.record_slot(request("morning", SLOT))
    digest = ledger.digest_for(record.deliveries[0])
    assert digest_from_dict(digest_to_dict(digest)) == digest
    assert digest.created_at == SLOT
    assert digest.items[0].key_figures[0].counts == "officers"


def test_delivery_states_and_retry(ledger: Ledger) -> None:
    add(ledger, "Bridge opens", "The mayor opened the bridge.")
    delivery = ledger.record_slot(request("morning", SLOT)).deliveries[0]
    assert delivery.marker == delivery_marker("morning", SLOT) == "morning@20260601T070000Z"
    assert ledger.claim(delivery)
    assert not ledger.claim(delivery), "a stale read must not claim twice"
    sending = ledger.get(delivery.id)
    assert sending is not None and sending.state == SENDING and sending.attempts == 1
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert ledger.mark_retry(delivery.id, "HTTP 503\nfrom the server", later)
    assert ledger.due() == [] and ledger.next_attempt_time() == later
    assert ledger.mark_failed(delivery.id, "channel not found")
    failed = ledger.deliveries(failed_only=True)
    assert [(d.id, d.state, d.last_error) for d in failed] == [(delivery.id, FAILED, "channel not found")]
    with pytest.raises(LedgerError, match="no delivery 999"):
        ledger.retry(999)
    retried = ledger.retry(delivery.id)
    assert retried.state == PENDING and retried.attempts == 1
    assert ledger.claim(retried) and ledger.mark_sent(delivery.id, "C1:123.456")
    sent = ledger.get(delivery.id)
    assert sent is not None and (sent.state, sent.message_id) == (SENT, "C1:123.456")
    with pytest.raises(LedgerError, match="only failed deliveries"):
        ledger.retry(delivery.id)
    assert not ledger.mark_failed(delivery.id, "too late"), "a sent delivery stays sent"


def test_one_off_slot_posts_the_given_articles_again(ledger: Ledger) -> None:
    article = add(ledger, "Bridge opens", "The mayor opened the bridge.")
    ledger.record_slot(request("morning", SLOT))
    once = ledger.record_slot(request("once", SLOT + timedelta(microseconds=5), article_ids=(article,)))
    assert once.deliveries[0].article_ids == (article,)
    assert once.deliveries[0].marker == "once@20260601T070000.000005Z"
