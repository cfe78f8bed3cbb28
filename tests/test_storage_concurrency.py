"""The store under concurrency: opened and migrated once, racing inserts are duplicates, lost connections retried."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, event, select, text

from bot.app import App
from bot.config import Config
from digests.models import Analysis, Article
from digests.pipeline import analyse
from digests.storage import Store
from digests.storage.errors import StorageError
from digests.storage.tables import ArticleRow

T = TypeVar("T")
BODY = "The council approved the budget on Monday. The vote was 7 to 2, the clerk said."


def all_at_once(count: int, work: Callable[[], T]) -> list[T]:
    """Run ``work`` in ``count`` threads released together."""
    barrier = threading.Barrier(count)

    def started() -> T:
        barrier.wait()
        return work()

    with ThreadPoolExecutor(count) as pool:
        return [future.result() for future in [pool.submit(started) for _ in range(count)]]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    return sqlite_url if request.param == "sqlite" else str(request.getfixturevalue("postgres_url"))


def test_app_store_is_opened_once_by_concurrent_first_commands(database_url: str) -> None:
    app = App(Config(), database_url)
    try:
        stores = all_at_once(8, lambda: app.store)
        assert len({id(store) for store in stores}) == 1
    finally:
        app.close()


def test_concurrent_opens_of_a_fresh_database_migrate_once(database_url: str) -> None:
    stores = all_at_once(4, lambda: Store(database_url))
    try:
        with stores[0].engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert len(versions) == 1
        assert all(store.count() == 0 for store in stores)
    finally:
        for store in stores:
            store.close()


def test_an_article_another_process_just_stored_is_a_duplicate(database_url: str) -> None:
    mine, theirs = Store(database_url), Store(database_url)
    article = Article(title="Budget", body=BODY, source="budget.txt")
    analysis = analyse(article)
    raced: list[int] = []

    def other_process_stores_it_first(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES") and not raced:
            raced.append(theirs.add(article, analysis)[0])

    event.listen(mine.engine, "before_cursor_execute", other_process_stores_it_first)
    try:
        assert mine.add(article, analysis) == (raced[0], False)
        assert mine.count() == 1
    finally:
        mine.close()
        theirs.close()


def test_a_lost_connection_is_retried_once(postgres_url: str) -> None:
    store = Store(postgres_url)
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    killed: list[int] = []

    def kill_this_connection(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM articles" in statement and not killed:
            pid = connection.connection.dbapi_connection.info.backend_pid
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)

    event.listen(store.engine, "before_cursor_execute", kill_this_connection)
    try:
        assert store.count() == 0
        assert killed
    finally:
        store.close()
        admin.dispose()


def test_a_full_disk_is_one_line_naming_the_database(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    event.listen(store.engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA max_page_count = 40"))
    store.engine.dispose()
    article = Article(title="Long", body="A long article. " * 20_000, source="long.txt")
    try:
        with pytest.raises(StorageError) as raised:
            store.add(article, Analysis(sentences=(), summary=()))
        message = str(raised.value)
        assert message.startswith(f"database {sqlite_url}: the disk is full; free some space and try again")
        assert "\n" not in message
        assert store.count() == 0
        assert store.session().scalar(select(ArticleRow.id)) is None
    finally:
        store.close()
