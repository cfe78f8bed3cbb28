"""The article store: one class over SQLAlchemy, migrated by Alembic on open."""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Engine, create_engine, func, or_, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from digests.grouping.groups import first_of_each_story
from digests.models import Analysis, Article, StoredArticle, without_nul
from digests.search import SearchIndex, index_documents, indexed_text, remove_documents
from digests.storage.codec import analysis_from_dict, analysis_to_dict
from digests.storage.errors import StorageError, masked, storage_error
from digests.storage.stories import assign_story, outlets_by_article, record_sighting, stories_of
from digests.storage.tables import ArticleRow

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_FILE = "newsdigest.db"
SCHEMA_HEAD = "0008"  # the newest migration's revision
MIGRATION_LOCK_KEY = 0x6E65_7773_6D69_67  # PostgreSQL advisory lock taken while migrating ("newsmig")
STORY_WINDOW = 4  # rows read per story shown, so stories told by several outlets still fill a digest
MIGRATION_LOCK_TIMEOUT = 300.0  # seconds a SQLite migration waits for another process's

P = ParamSpec("P")
R = TypeVar("R")


def default_database_url() -> str:
    """``DATABASE_URL`` from the environment, else a SQLite file in the working directory."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_FILE}"


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything newsdigest stores is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision, once: other processes wait on a lock meanwhile.

    PostgreSQL: a transaction-scoped advisory lock held by the migrating transaction. SQLite: a lock file
    next to the database file.
    """
    if schema_is_current(engine):
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with migration_file_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is already at :data:`SCHEMA_HEAD`: one query, so opening a current store needs no
    Alembic (a test checks the constant against the migrations)."""
    with engine.connect() as connection:
        try:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except SQLAlchemyError:  # a new database: no version table yet
            return False
    return versions == [SCHEMA_HEAD]


def migration_file_lock(engine: Engine) -> Any:
    """A lock file beside a SQLite database file (nothing to lock for PostgreSQL or an in-memory database)."""
    import contextlib

    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or str(database).startswith("file:"):
        return contextlib.nullcontext()
    from filelock import FileLock

    return FileLock(f"{database}.migrate.lock", timeout=MIGRATION_LOCK_TIMEOUT)


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder must exist (a mistyped path is an error, not a new folder)."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:"):
        folder = Path(parsed.database or "").expanduser().parent
        if not folder.is_dir():
            raise StorageError(
                f"database {masked(url)}: the folder {folder} does not exist; create it or correct the URL"
            )
    return create_engine(url, pool_pre_ping=True)


def retried_once(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Run a store method again once when the database connection was lost; any fault becomes a StorageError."""

    @functools.wraps(method)
    def wrapper(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(store, *args, **kwargs)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise storage_error(error, store.url) from None
            logger.warning("lost the connection to database %s; trying once more", masked(store.url))
        try:
            return method(store, *args, **kwargs)
        except SQLAlchemyError as error:
            raise storage_error(error, store.url) from None

    return wrapper


class Analyser(Protocol):
    """Makes an article's analysis and tells whether a stored one is still what it would make."""

    def analyse(self, article: Article) -> Analysis: ...

    def is_current(self, analysis: Analysis) -> bool: ...


class Store:
    """Articles and their analysis, deduplicated by content.

    With an ``analyser``, articles read back whose stored analysis is outdated (an older analysis version, or
    another summariser or sentence count) are analysed again and saved before they are returned.
    """

    def __init__(self, url: str | None = None, analyser: Analyser | None = None) -> None:
        self.url = normalise_database_url(url or default_database_url())
        self.analyser = analyser
        try:
            self.engine = create_database_engine(self.url)
            migrate(self.engine)
        except (SQLAlchemyError, OSError) as error:
            raise storage_error(error, self.url) from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._search: SearchIndex | None = None

    @property
    def description(self) -> str:
        """The database URL with its password masked, as it may be shown."""
        return masked(self.url)

    def session(self) -> Session:
        """A new ORM session on this store's database."""
        return self._sessions()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @retried_once
    def add(self, article: Article, analysis: Analysis) -> tuple[int, bool]:
        """Store an article; returns its id and whether it was new (False for a duplicate).

        An article another process stores at the same moment is a duplicate too (the unique content hash
        decides), not an error.
        """
        try:
            with self.session() as session, session.begin():
                existing = session.scalar(select(ArticleRow.id).where(ArticleRow.content_hash == article.content_hash))
                if existing is not None:
                    record_sighting(session, existing, article, datetime.now(UTC))
                    return existing, False
                row = ArticleRow(
                    content_hash=article.content_hash,
                    title=without_nul(article.title),
                    body=without_nul(article.body),
                    source=without_nul(article.source),
                    url=without_nul(article.url) if article.url else None,
                    outlet=without_nul(article.outlet) if article.outlet else None,
                    author=without_nul(article.author) if article.author else None,
                    published=article.published,
                    ingested_at=datetime.now(UTC),
                    analysis=analysis_to_dict(analysis),
                )
                session.add(row)
                session.flush()
                assign_story(session, row.id, article, row.ingested_at)
                # Last: indexing locks the article's term rows (shared by most articles) until the commit.
                index_documents(session.connection(), [(row.id, indexed_text(row.title, row.body))])
                return row.id, True
        except IntegrityError:
            stored = self.id_of(article)
            if stored is None:
                raise
            return stored, False

    def search_index(self) -> SearchIndex:
        """The store's persistent article search index (BM25, shared by every process).

        The first call on this store indexes any stored articles the index lacks (articles written around the
        store, or an index made by older terms); later calls return the same object at no cost.
        """
        if self._search is None:
            search = SearchIndex(self.engine)
            search.catch_up()
            self._search = search
        return self._search

    def store_version(self, article: Article, analyse: Callable[[Article], Analysis]) -> tuple[int, str]:
        """Store an article fetched from the web: ``new``, ``duplicate`` (same words) or ``updated``.

        An article whose URL is stored with other words is an update: it keeps its id (so no channel gets it
        twice) and its new text is analysed again. ``analyse`` runs only for new or updated articles.
        """
        with self.session() as session:
            same = session.scalar(select(ArticleRow.id).where(ArticleRow.content_hash == article.content_hash))
            previous = None
            if same is None and article.url:
                query = select(ArticleRow).where(ArticleRow.url == article.url).order_by(ArticleRow.id.desc())
                previous = session.scalar(query.limit(1))
                old_text = indexed_text(previous.title, previous.body) if previous is not None else ""
        if same is not None:
            self.seen_again(same, article)
            return same, "duplicate"
        if previous is None:
            article_id, created = self.add(article, analyse(article))
            return article_id, "new" if created else "duplicate"
        title, body = without_nul(article.title), without_nul(article.body)
        values = {
            "content_hash": article.content_hash,
            "title": title,
            "body": body,
            "outlet": without_nul(article.outlet) if article.outlet else None,
            "author": without_nul(article.author) if article.author else None,
            "published": article.published,
            "analysis": analysis_to_dict(analyse(article)),
        }
        try:
            with self.session() as session, session.begin():
                session.execute(update(ArticleRow).where(ArticleRow.id == previous.id).values(**values))
                connection = session.connection()
                remove_documents(connection, [(previous.id, old_text)])
                index_documents(connection, [(previous.id, indexed_text(title, body))])
        except IntegrityError:  # the same new words were stored meanwhile
            return self.id_of(article) or previous.id, "duplicate"
        return previous.id, "updated"

    def published_by_url(self, urls: Sequence[str]) -> dict[str, datetime | None]:
        """For each of ``urls`` already stored, the stored article's publication time (None when unknown)."""
        found: dict[str, datetime | None] = {}
        wanted = list(dict.fromkeys(urls))
        with self.session() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(ArticleRow.url, ArticleRow.published).where(ArticleRow.url.in_(chunk))
                for url, published in session.execute(query):
                    if url is not None:
                        found[url] = as_utc(published)
        return found

    def seen_again(self, article_id: int, article: Article) -> bool:
        """Note that the stored article's exact text ran again, perhaps from another outlet (listed as "also in")."""
        with self.session() as session, session.begin():
            return record_sighting(session, article_id, article, datetime.now(UTC))

    @retried_once
    def id_of(self, article: Article) -> int | None:
        """The id of the stored article with the same content, if any."""
        with self.session() as session:
            return session.scalar(select(ArticleRow.id).where(ArticleRow.content_hash == article.content_hash))

    @retried_once
    def get(self, article_id: int) -> StoredArticle | None:
        """The article with this id, if stored."""
        with self.session() as session:
            row = session.get(ArticleRow, article_id)
            found = to_stored(row) if row else None
        return self.refreshed([found])[0] if found else None

    @retried_once
    def find(self, reference: str) -> StoredArticle | None:
        """Look an article up by id, source path or URL, or a words-in-title match (newest first)."""
        reference = reference.strip()
        if reference.isdigit():
            return self.get(int(reference))
        with self.session() as session:
            row = session.scalar(
                select(ArticleRow)
                .where(
                    (ArticleRow.source == reference)
                    | (ArticleRow.url == reference)
                    | ArticleRow.source.endswith(f"/{reference}", autoescape=True)  # a file by its shown name
                )
                .order_by(ArticleRow.id.desc())
                .limit(1)
            )
            if row is None:
                row = session.scalar(
                    select(ArticleRow)
                    .where(func.lower(ArticleRow.title).contains(reference.lower(), autoescape=True))
                    .order_by(ArticleRow.id.desc())
                    .limit(1)
                )
            found = to_stored(row) if row else None
        return self.refreshed([found])[0] if found else None

    @retried_once
    def articles(
        self,
        since: datetime | None = None,
        ids: Iterable[int] | None = None,
        limit: int | None = None,
        refresh: bool = True,
    ) -> list[StoredArticle]:
        """Stored articles in ingest order, optionally only those after ``since`` or with given ids.

        ``refresh=False`` returns stored analyses as they are, outdated or not (for listings that need no analysis).
        """
        query = select(ArticleRow).order_by(ArticleRow.id)
        if since is not None:
            query = query.where(ArticleRow.ingested_at > since)
        if ids is not None:
            query = query.where(ArticleRow.id.in_(list(ids)))
        if limit is not None:
            query = query.limit(limit)
        with self.session() as session:
            found = [to_stored(row) for row in session.scalars(query)]
        return self.refreshed(found) if refresh else found

    @retried_once
    def latest(
        self, limit: int, since: datetime | None = None, containing: str | None = None, refresh: bool = True
    ) -> list[StoredArticle]:
        """The ``limit`` most recently ingested articles, oldest first, optionally only those after ``since`` or
        whose title or body contains ``containing`` (any case). Filtered and limited in SQL, so memory does not
        grow with the store.
        """
        query = select(ArticleRow).order_by(ArticleRow.id.desc()).limit(limit)
        if since is not None:
            query = query.where(ArticleRow.ingested_at > since)
        if containing:
            needle = containing.lower()
            query = query.where(
                or_(
                    func.lower(ArticleRow.title).contains(needle, autoescape=True),
                    func.lower(ArticleRow.body).contains(needle, autoescape=True),
                )
            )
        with self.session() as session:
            found = [to_stored(row) for row in session.scalars(query)][::-1]
        return self.refreshed(found) if refresh else found

    @retried_once
    def ids(self) -> list[int]:
        """Every stored article's id, in ingest order."""
        with self.session() as session:
            return list(session.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))

    @retried_once
    def newest(self) -> StoredArticle | None:
        """The most recently ingested article."""
        with self.session() as session:
            row = session.scalar(select(ArticleRow).order_by(ArticleRow.id.desc()).limit(1))
            found = to_stored(row) if row else None
        return self.refreshed([found])[0] if found else None

    def is_current(self, stored: StoredArticle) -> bool:
        """Whether the article's stored analysis is current (always, without an analyser)."""
        return self.analyser is None or self.analyser.is_current(stored.analysis)

    def refreshed(self, articles: Sequence[StoredArticle]) -> list[StoredArticle]:
        """``articles`` with every outdated analysis made again and saved (only those are analysed)."""
        if self.analyser is None or all(self.is_current(stored) for stored in articles):
            return list(articles)
        return [stored if self.is_current(stored) else self.reanalyse(stored) for stored in articles]

    def reanalyse(self, stored: StoredArticle) -> StoredArticle:
        """Analyse the article again (with the analyser) and save the new analysis."""
        if self.analyser is None:
            raise ValueError("this store has no analyser")
        fresh = replace(stored, analysis=self.analyser.analyse(stored.article))
        self.save_analysis(stored.id, fresh.analysis)
        return fresh

    @retried_once
    def save_analysis(self, article_id: int, analysis: Analysis) -> None:
        """Replace a stored article's analysis."""
        statement = update(ArticleRow).where(ArticleRow.id == article_id).values(analysis=analysis_to_dict(analysis))
        with self.session() as session, session.begin():
            session.execute(statement)

    def one_per_story(
        self, articles: Sequence[StoredArticle]
    ) -> tuple[list[StoredArticle], dict[int, tuple[str, ...]]]:
        """The first of ``articles`` of each story, and per kept article the other outlets that ran its story."""
        with self.session() as session:
            story_of = stories_of(session, [stored.id for stored in articles])
            kept = first_of_each_story(articles, story_of)
            return kept, outlets_by_article(session, kept, story_of)

    def latest_stories(
        self, limit: int, since: datetime | None = None, containing: str | None = None
    ) -> tuple[list[StoredArticle], dict[int, tuple[str, ...]]]:
        """The ``limit`` newest stories (one article each, analysed as needed) and their other outlets.

        Only a bounded window of the newest rows is read (:meth:`latest`), so memory does not grow with the store.
        """
        recent = self.latest(limit * STORY_WINDOW, since=since, containing=containing, refresh=False)
        stories, also_in = self.one_per_story(recent)
        return self.refreshed(stories[-limit:]), also_in

    @retried_once
    def count(self) -> int:
        """How many articles are stored."""
        with self.session() as session:
            return session.scalar(select(func.count(ArticleRow.id))) or 0

    @retried_once
    def revision(self) -> tuple[int, int]:
        """A cheap fingerprint (count, highest id) that changes whenever articles are added."""
        with self.session() as session:
            count, highest = session.execute(select(func.count(ArticleRow.id), func.max(ArticleRow.id))).one()
            return int(count or 0), int(highest or 0)


def to_stored(row: ArticleRow) -> StoredArticle:
    """Convert a table row into the neutral value."""
    article = Article(
        title=row.title,
        body=row.body,
        source=row.source,
        url=row.url,
        outlet=row.outlet,
        published=as_utc(row.published),
        author=row.author,
    )
    ingested = as_utc(row.ingested_at)
    assert ingested is not None
    return StoredArticle(id=row.id, article=article, analysis=analysis_from_dict(row.analysis), ingested_at=ingested)
