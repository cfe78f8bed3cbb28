"""The store on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from digests.loaders import load_seeds
from digests.models import Article
from digests.pipeline import analyse
from digests.storage import Store


def seed() -> Article:
    (article,) = [item for item in load_seeds() if isinstance(item, Article)]
    return article


def check_store(url: str) -> None:
    store = Store(url)
    try:
        article = seed()
        analysis = analyse(article)
        article_id, created = store.add(article, analysis)
        again_id, again_created = store.add(article, analysis)
        assert created and not again_created and again_id == article_id
        assert store.count() == 1
        stored = store.get(article_id)
        assert stored is not None
        assert stored.article == article
        assert stored.analysis == analysis
        assert stored.ingested_at.tzinfo is not None
        assert store.find(str(article_id)) == stored
        assert store.find(article.source) == stored
        assert store.find("intelligence officers") == stored
        assert store.find("no such headline") is None
        assert store.newest() == stored
    finally:
        store.close()


def test_sqlite_file_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'news.db'}"
    (tmp_path / "sub").mkdir()
    check_store(url)
    assert (tmp_path / "sub" / "news.db").is_file()
    reopened = Store(url)
    assert reopened.count() == 1
    assert set(inspect(reopened.engine).get_table_names()) >= {"articles", "alembic_version"}
    reopened.close()


def test_postgresql_store(postgres_url: str) -> None:
    check_store(postgres_url)


def test_reformatted_article_is_a_duplicate(store: Store) -> None:
    article = seed()
    reflowed = Article(title="Other title", body=article.body.replace(" ", "  "), source="elsewhere.txt")
    store.add(article, analyse(article))
    _, created = store.add(reflowed, analyse(reflowed))
    assert not created


def test_default_database_url_honours_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from digests.storage import default_database_url

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert default_database_url() == "sqlite:///newsdigest.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert default_database_url() == "postgresql://u@h/db"


def test_schema_head_is_the_newest_migration() -> None:
    """Opening a store skips Alembic when the database is at SCHEMA_HEAD, so the constant must follow the
    migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from digests.storage import store as store_module

    config = Config()
    config.set_main_option("script_location", str(Path(store_module.__file__).with_name("migrations")))
    assert ScriptDirectory.from_config(config).get_heads() == [store_module.SCHEMA_HEAD]


def test_a_current_store_opens_without_migrating_again(sqlite_url: str) -> None:
    Store(sqlite_url).close()
    reopened = Store(sqlite_url)
    try:
        assert store_module_schema_is_current(reopened)
    finally:
        reopened.close()


def store_module_schema_is_current(store: Store) -> bool:
    from digests.storage.store import schema_is_current

    return schema_is_current(store.engine)
