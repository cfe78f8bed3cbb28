"""The article store: one class over SQLAlchemy, migrated by Alembic on open."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from digests.grouping.groups import first_of_each_story
from digests.models import Analysis, Article, StoredArticle
from digests.storage.codec import analysis_from_dict, analysis_to_dict
from digests.storage.stories import assign_story, outlets_by_article, record_sighting, stories_of
from digests.storage.tables import ArticleRow

DEFAULT_SQLITE_FILE = "newsdigest.db"


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
    """Bring the schema to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, pool_pre_ping=True)


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
        self.engine = create_database_engine(self.url)
        migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A new ORM session on this store's database."""
        return self._sessions()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def add(self, article: Article, analysis: Analysis) -> tuple[int, bool]:
        """Store an article; returns its id and whether it was new (False for a duplicate)."""
        with self.session() as session, session.begin():
            existing = session.scalar(select(ArticleRow.id).where(ArticleRow.content_hash == article.content_hash))
            if existing is not None:
                record_sighting(session, existing, article, datetime.now(UTC))
                return existing, False
            row = ArticleRow(
                content_hash=article.content_hash,
                title=article.title,
                body=article.body,
                source=article.source,
                url=article.url,
                outlet=article.outlet,
                published=article.published,
                ingested_at=datetime.now(UTC),
                analysis=analysis_to_dict(analysis),
            )
            session.add(row)
            session.flush()
            assign_story(session, row.id, article, row.ingested_at)
            return row.id, True

    def seen_again(self, article_id: int, article: Article) -> bool:
        """Note that the stored article's exact text ran again, perhaps from another outlet (listed as "also in")."""
        with self.session() as session, session.begin():
            return record_sighting(session, article_id, article, datetime.now(UTC))

    def id_of(self, article: Article) -> int | None:
        """The id of the stored article with the same content, if any."""
        with self.session() as session:
            return session.scalar(select(ArticleRow.id).where(ArticleRow.content_hash == article.content_hash))

    def get(self, article_id: int) -> StoredArticle | None:
        """The article with this id, if stored."""
        with self.session() as session:
            row = session.get(ArticleRow, article_id)
            found = to_stored(row) if row else None
        return self.refreshed([found])[0] if found else None

    def find(self, reference: str) -> StoredArticle | None:
        """Look an article up by id, source path or URL, or a words-in-title match (newest first)."""
        reference = reference.strip()
        if reference.isdigit():
            return self.get(int(reference))
        with self.session() as session:
            row = session.scalar(
                select(ArticleRow)
                .where((ArticleRow.source == reference) | (ArticleRow.url == reference))
                .order_by(ArticleRow.id.desc())
            )
            if row is None:
                row = session.scalar(
                    select(ArticleRow)
                    .where(func.lower(ArticleRow.title).contains(reference.lower()))
                    .order_by(ArticleRow.id.desc())
                )
            found = to_stored(row) if row else None
        return self.refreshed([found])[0] if found else None

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

    def ids(self) -> list[int]:
        """Every stored article's id, in ingest order."""
        with self.session() as session:
            return list(session.scalars(select(ArticleRow.id).order_by(ArticleRow.id)))

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

    def count(self) -> int:
        """How many articles are stored."""
        with self.session() as session:
            return session.scalar(select(func.count(ArticleRow.id))) or 0

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
    )
    ingested = as_utc(row.ingested_at)
    assert ingested is not None
    return StoredArticle(id=row.id, article=article, analysis=analysis_from_dict(row.analysis), ingested_at=ingested)
