"""The database search index on real SQLite files and a real PostgreSQL database."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, update

import digests.search.writer as writer
from digests.models import Analysis, Article
from digests.retrieval import ArticleIndex, terms
from digests.search import SearchIndex, indexed_text, remove_documents
from digests.search.tables import search_totals
from digests.storage import Store
from digests.storage.store import normalise_database_url
from digests.storage.tables import ArticleRow

WORDS = str.split(
    """mayor council budget river flood police court judge election vote minister bank rates inflation school
    teacher hospital doctor strike union train station airport storm harbour market price farmer drought
    festival museum painting football coach stadium league trophy senator bill tariff export factory"""
)
EMPTY = Analysis(sentences=(), summary=())


def make_articles(count: int, seed: int = 7) -> list[Article]:
    """Distinct short articles over a small vocabulary, so terms repeat across articles as news does."""
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5)))
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60))) + f". Report {n}."
        articles.append(Article(title=title.capitalize(), body=body, source=f"story-{n}.txt"))
    return articles


def queries(articles: list[Article]) -> list[list[str]]:
    rng = random.Random(3)
    found = [terms(a.title) for a in articles[:20]]
    found += [terms(" ".join(rng.sample(WORDS, 3))) for _ in range(20)]
    return [*found, terms("strike strike union"), terms("nothing matches zebra")]


def memory_index(pairs: list[tuple[int, Article]]) -> ArticleIndex:
    index = ArticleIndex()
    for article_id, article in sorted(pairs, key=lambda pair: pair[0]):
        index.add(article_id, indexed_text(article.title, article.body))
    return index


def assert_same(ours: SearchIndex, theirs: ArticleIndex, asked: list[list[str]]) -> None:
    assert len(ours) == len(theirs)
    for query in asked:
        mine, expected = ours.search(query, 5), theirs.search(query, 5)
        assert [i for i, _ in mine] == [i for i, _ in expected], query
        assert [s for _, s in mine] == pytest.approx([s for _, s in expected], rel=1e-12)
    for term in ("mayor", "strike", "zebra", "report"):
        assert ours.document_frequency(term) == theirs.document_frequency(term)
        assert ours.idf(term) == pytest.approx(theirs.idf(term))
    for article_id in theirs.ids[:10]:
        for term in ("mayor", "flood", "trophy"):
            assert ours.contains(article_id, term) == theirs.contains(article_id, term)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    if request.param == "sqlite":
        return sqlite_url
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny posting blocks, so a few dozen articles fill tails, seal them and merge sealed blocks."""
    monkeypatch.setattr(writer, "BLOCK_SIZE", 4)
    monkeypatch.setattr(writer, "SEALED_SIZE", 10)


@pytest.fixture
def opened(db_url: str) -> Iterator[Store]:
    store = Store(db_url)
    yield store
    store.close()


def test_index_follows_the_store_and_ranks_as_article_index(opened: Store, small_blocks: None) -> None:
    articles = make_articles(24)
    stored = [(opened.add(article, EMPTY)[0], article) for article in articles]
    again = [opened.add(article, EMPTY) for article in articles[:5]]
    assert all(not created for _, created in again)
    index = opened.search_index()
    assert_same(index, memory_index(stored), queries(articles))
    assert index.newest_id() == stored[-1][0]
    assert index.search([], 5) == [] and index.search(["zebra"], 5) == []


def test_reanalysis_leaves_the_index_as_it_was(opened: Store) -> None:
    articles = make_articles(8)
    stored = [(opened.add(article, EMPTY)[0], article) for article in articles]
    index = opened.search_index()
    before = [index.search(q, 5) for q in queries(articles)]
    for article_id, _ in stored:
        opened.save_analysis(article_id, Analysis(sentences=("Changed.",), summary=("Changed.",)))
    assert [index.search(q, 5) for q in queries(articles)] == before
    assert len(index) == len(articles)


def test_removed_article_leaves_the_index_consistent(opened: Store, small_blocks: None) -> None:
    articles = make_articles(20)
    stored = [(opened.add(article, EMPTY)[0], article) for article in articles]
    gone = stored[::3]
    with opened.engine.begin() as connection:
        texts = [(i, indexed_text(a.title, a.body)) for i, a in gone]
        assert remove_documents(connection, texts) == len(gone)
        assert remove_documents(connection, texts) == 0
        connection.execute(delete(ArticleRow).where(ArticleRow.id.in_([i for i, _ in gone])))
    kept = [pair for pair in stored if pair not in gone]
    assert_same(opened.search_index(), memory_index(kept), queries(articles))


def test_a_fresh_process_searches_what_another_stored(opened: Store) -> None:
    articles = make_articles(12)
    for article in articles:
        opened.add(article, EMPTY)
    asked = queries(articles)
    script = (
        "import json, sys; from digests.storage import Store; store = Store(sys.argv[1]); index = store.search_index();"
        " print(json.dumps([index.search(q, 5) for q in json.loads(sys.argv[2])]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, opened.url, json.dumps(asked)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    expected = [[list(hit) for hit in opened.search_index().search(q, 5)] for q in asked]
    assert json.loads(done.stdout) == expected
    assert any(expected)


def test_concurrent_writers_keep_the_index_whole(db_url: str, small_blocks: None) -> None:
    articles = make_articles(24, seed=11)
    errors: list[BaseException] = []

    def write(store: Store, part: list[Article]) -> None:
        try:
            for article in part:
                store.add(article, EMPTY)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    writers = [Store(db_url) for _ in range(4)]  # each with its own connections; opened here, as Alembic is global
    threads = [threading.Thread(target=write, args=(writers[n], articles[n::4])) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for opened_writer in writers:
        opened_writer.close()
    assert not errors
    store = Store(db_url)
    stored = [(store.id_of(article), article) for article in articles]
    assert_same(store.search_index(), memory_index([(i, a) for i, a in stored if i is not None]), queries(articles))
    store.close()


def test_migration_indexes_an_existing_store(db_url: str) -> None:
    engine = create_engine(normalise_database_url(db_url))
    config = Config()
    config.set_main_option("script_location", str(Path(writer.__file__).parents[1] / "storage" / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    articles = make_articles(12)
    with engine.begin() as connection:
        for article in articles:
            connection.execute(
                ArticleRow.__table__.insert().values(
                    content_hash=article.content_hash,
                    title=article.title,
                    body=article.body,
                    source=article.source,
                    ingested_at=datetime.now(UTC),
                    analysis={},
                )
            )
    engine.dispose()
    store = Store(db_url)
    pairs = [(store.id_of(article), article) for article in articles]
    assert_same(store.search_index(), memory_index([(i, a) for i, a in pairs if i is not None]), queries(articles))
    store.close()


def test_rows_written_around_the_store_and_a_new_terms_version_are_indexed_once(opened: Store) -> None:
    articles = make_articles(10)
    for article in articles[:6]:
        opened.add(article, EMPTY)
    with opened.session() as session, session.begin():
        for article in articles[6:]:
            session.add(
                ArticleRow(
                    content_hash=article.content_hash,
                    title=article.title,
                    body=article.body,
                    source=article.source,
                    ingested_at=datetime.now(UTC),
                    analysis={},
                )
            )
    with opened.engine.begin() as connection:
        connection.execute(update(search_totals).values(version=0))
    fresh = Store(opened.url)
    index = fresh.search_index()
    assert index.catch_up() == 0
    pairs = [(fresh.id_of(article), article) for article in articles]
    assert_same(index, memory_index([(i, a) for i, a in pairs if i is not None]), queries(articles))
    fresh.close()
