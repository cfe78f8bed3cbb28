"""Stored analyses made by an older newsdigest, or with other [summary] settings, are made again when needed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from bot.app import App
from bot.cli import cli
from bot.config import parse_config
from digests.loaders import load_seeds
from digests.models import Article
from digests.pipeline import ANALYSIS_VERSION, SummarySettings, analyse
from digests.storage import Store
from digests.storage.codec import analysis_from_dict
from digests.storage.ledger import Ledger, SlotRequest
from digests.storage.tables import ArticleRow

OTHER = Article(
    title="Harbour reopens",
    body=(
        "The harbour reopened on Monday after three weeks of repairs.\n\n"
        "About 40 fishing boats went out before dawn, the harbour master said.\n\n"
        "“We are glad to be back at sea,” said Mary Jones, a skipper from the town."
    ),
    source="harbour.txt",
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


def app_for(url: str, sentences: int = 3) -> App:
    return App(parse_config(f"[summary]\nsentences = {sentences}\n", "test config"), url)


def stored_json(url: str, article_id: int) -> dict[str, Any]:
    store = Store(url)
    try:
        with store.session() as session:
            data = session.scalar(select(ArticleRow.analysis).where(ArticleRow.id == article_id))
    finally:
        store.close()
    assert isinstance(data, dict)
    return data


def store_as_before_versions(url: str) -> tuple[int, int]:
    """The seed article and another, stored as an older newsdigest did: no version, no figures or quotes."""
    store = Store(url)
    ids = []
    for article in [*load_seeds(), OTHER]:
        assert isinstance(article, Article)
        analysis = analyse(article)
        old = {"sentences": list(analysis.sentences), "summary": list(analysis.summary[:1])}
        article_id, _ = store.add(article, analysis)
        with store.session() as session, session.begin():
            session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(analysis=old))
        ids.append(article_id)
    store.close()
    return ids[0], ids[1]


def test_pre_version_analysis_loads_as_version_zero() -> None:
    old = analysis_from_dict({"sentences": ["A."], "summary": ["A."]})
    assert (old.version, old.summariser, old.summary_sentences, old.figures) == (0, None, None, ())
    assert ANALYSIS_VERSION > 0


def test_an_outdated_article_is_analysed_again_when_read_and_only_it(db_url: str) -> None:
    seed_id, other_id = store_as_before_versions(db_url)
    app = app_for(db_url)
    stored = app.store.get(seed_id)
    assert stored is not None
    assert stored.analysis.version == ANALYSIS_VERSION and stored.analysis.quotes and len(stored.analysis.summary) == 3
    saved = stored_json(db_url, seed_id)
    assert saved["version"] == ANALYSIS_VERSION and saved["quotes"]
    assert "version" not in stored_json(db_url, other_id)  # not needed, so not touched
    again = app.store.get(seed_id)
    assert again == stored
    app.close()


def test_a_changed_sentence_count_reanalyses_what_a_digest_shows(db_url: str) -> None:
    first = app_for(db_url, sentences=3)
    first.ingest_sources()
    first.close()
    fewer = app_for(db_url, sentences=1)
    ledger = Ledger(fewer.store)
    record = ledger.record_slot(SlotRequest("morning", datetime(2026, 6, 1, 8, tzinfo=UTC), ("console",)))
    [delivery] = record.deliveries
    [item] = ledger.digest_for(delivery).items
    assert len(item.summary) == 1
    saved = stored_json(db_url, item.article_id)
    assert (saved["summariser"], saved["summary_sentences"]) == ("default", 1)
    fewer.close()


def test_unbounded_listing_leaves_analyses_alone(sqlite_url: str) -> None:
    seed_id, other_id = store_as_before_versions(sqlite_url)
    app = app_for(sqlite_url)
    listed = app.store.articles(refresh=False)
    assert [s.id for s in listed] == [seed_id, other_id]
    assert all(s.analysis.version == 0 for s in listed)
    assert "version" not in stored_json(sqlite_url, seed_id)
    app.close()


def reanalyse(url: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", url, "reanalyse", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_reanalyse_command_counts(db_url: str) -> None:
    _, other_id = store_as_before_versions(db_url)
    assert reanalyse(db_url) == "2 re-analysed, 0 already up to date"
    assert stored_json(db_url, other_id)["version"] == ANALYSIS_VERSION
    assert stored_json(db_url, other_id)["quotes"]
    assert reanalyse(db_url) == "0 re-analysed, 2 already up to date"
    assert reanalyse(db_url, "--all") == "2 re-analysed, 0 already up to date"


def test_summary_settings_are_stored_with_the_analysis() -> None:
    [article] = [a for a in load_seeds() if isinstance(a, Article)]
    analysis = analyse(article, SummarySettings("lexrank", 2))
    assert (analysis.version, analysis.summariser, analysis.summary_sentences) == (ANALYSIS_VERSION, "lexrank", 2)
    assert len(analysis.summary) == 2
