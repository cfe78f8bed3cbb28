"""Every digest, scheduled or ``run --once``, carries its articles' quote cards and their alt text."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.config import parse_config
from bot.delivery import LedgerDelivery, RetryPolicy
from bot.runner import run_once
from bot.scheduler import DigestScheduler
from digests.cards import render_card
from digests.digest import CardFile
from digests.models import Digest, StoredArticle
from digests.storage.ledger import ONE_OFF_SCHEDULE, SENT, Ledger, SlotRequest, digest_from_dict, digest_to_dict


class RecordingChannel:
    """Remembers the digests it was given."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.posts: list[Digest] = []

    async def post_digest(self, digest: Digest, marker: str) -> str:
        self.posts.append(digest)
        return f"{self.address}/{len(self.posts)}"

    async def find_marker(self, marker: str) -> str | None:
        return None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def make_app(url: str, cards: Path) -> App:
    text = f"""
[cards]
directory = "{cards}"

[[schedules]]
name = "morning"
cron = "0 8 * * *"
timezone = "UTC"
channels = ["console"]
"""
    return App(parse_config(text, "test config"), url)


async def scheduled_digest(app: App) -> Digest:
    """Build and deliver one slot of the ``morning`` schedule as the long-running bot does."""
    channel = RecordingChannel("console")
    ledger = Ledger(app.store)
    delivery = LedgerDelivery(ledger, lambda _: channel, RetryPolicy(0.1, 0.1, 2))
    scheduler = DigestScheduler(app, ledger, delivery)
    record = await scheduler.run_slot("morning", datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert record is not None
    [sent] = await delivery.deliver_due()
    assert sent.state == SENT
    [posted] = channel.posts
    return posted


def test_scheduled_and_one_off_digests_carry_the_same_cards(db_url: str, tmp_path: Path) -> None:
    app = make_app(db_url, tmp_path / "cards")
    scheduled = asyncio.run(scheduled_digest(app))
    [item] = scheduled.items
    assert item.card_path is not None and Path(item.card_path).parent == tmp_path / "cards"
    stored = app.store.get(item.article_id)
    assert stored is not None
    card = render_card(stored, app.card_settings)
    assert Path(item.card_path).read_bytes() == card.png
    assert item.card_alt_text == card.alt_text and card.speaker in item.card_alt_text

    console = io.StringIO()
    assert asyncio.run(run_once(app, ["console"], {}, ConsoleChannel(console))) == 0
    [once] = Ledger(app.store).deliveries(schedule=ONE_OFF_SCHEDULE)
    [once_item] = Ledger(app.store).digest_for(once).items
    assert (once_item.card_path, once_item.card_alt_text) == (item.card_path, item.card_alt_text)
    assert f"Quote card: {item.card_path}" in console.getvalue()
    app.close()


def test_a_card_that_cannot_be_saved_is_one_line_and_the_digest_still_goes_out(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cards folder should be")
    app = make_app(sqlite_url, blocked)
    with caplog.at_level(logging.WARNING):
        digest = asyncio.run(scheduled_digest(app))
    [item] = digest.items
    assert item.summary and item.card_path is None and item.card_alt_text is None
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and f"article {item.article_id}" in warnings[0] and "\n" not in warnings[0]
    app.close()


def test_a_failing_card_maker_leaves_the_digest_without_cards(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(sqlite_url, tmp_path / "cards")
    ids = app.ingest_sources().new

    def broken(articles: Sequence[StoredArticle]) -> dict[int, CardFile]:
        raise RuntimeError("fonts are missing\nsecond line")

    request = SlotRequest("once", datetime.now(UTC), ("console",), article_ids=tuple(ids), cards=broken)
    ledger = Ledger(app.store)
    with caplog.at_level(logging.WARNING):
        record = ledger.record_slot(request)
    [delivery] = record.deliveries
    [item] = ledger.digest_for(delivery).items
    assert item.summary and item.card_path is None
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "fonts are missing second line" in warning
    app.close()


def test_stored_digests_keep_alt_text_and_older_ones_still_read(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "cards")
    digest = asyncio.run(scheduled_digest(app))
    data = digest_to_dict(digest)
    assert digest_from_dict(data) == digest and data["items"][0]["card_alt_text"]
    for item in data["items"]:
        del item["card_alt_text"]  # as stored before items carried alt text
    [older] = digest_from_dict(data).items
    assert older.card_alt_text is None and older.card_path == digest.items[0].card_path
    app.close()
