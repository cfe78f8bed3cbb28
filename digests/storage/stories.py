"""Story grouping in the store: an article joins the story of a recent near-duplicate or of the same URL.

At ingest an article's canonical URL and MinHash signature are stored with its story id (the id of the story's
first article). Candidates come from the LSH band rows of articles ingested within ``GROUPING_WINDOW`` (an
indexed lookup, at most ``MAX_CANDIDATES`` compared), so the cost does not grow with the store; band rows older
than the window are deleted as new articles arrive. Articles stored before grouping existed are their own story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from digests.grouping.minhash import Signature, jaccard, near_duplicates, signature
from digests.grouping.urls import URLError, canonical_url
from digests.models import Article, StoredArticle
from digests.storage.ledger_tables import DeliveredArticleRow
from digests.storage.story_tables import ArticleStoryRow, StoryBandRow, StorySightingRow
from digests.storage.tables import ArticleRow

GROUPING_WINDOW = timedelta(days=3)
MAX_CANDIDATES = 100
MAX_ALSO_IN = 8
BATCH = 500
MAX_SIGHTINGS = 50  # per article: a feed repeating one text under endless addresses adds no more


def batches(ids: Sequence[int], size: int = BATCH) -> Iterator[list[int]]:
    """``ids`` in runs of at most ``size``, so no query carries more bound values than a database accepts."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def url_identity(url: str | None) -> tuple[str, str] | tuple[None, None]:
    """The canonical URL and its key, or nothing for a missing or non-http(s) URL."""
    if not url:
        return None, None
    try:
        canonical = canonical_url(url)
    except URLError:
        return None, None
    return canonical, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def assign_story(session: Session, article_id: int, article: Article, ingested_at: datetime) -> int:
    """Store the article's identity and return its story: a stored article's with the same canonical URL, else
    the most similar recent near-duplicate's, else its own id."""
    canonical, key = url_identity(article.url)
    found = signature(article.body)
    story = None
    if key is not None:
        query = select(ArticleStoryRow.story_id).where(ArticleStoryRow.url_key == key)
        story = session.scalar(query.order_by(ArticleStoryRow.article_id).limit(1))
    cutoff = ingested_at - GROUPING_WINDOW
    bands = found.bands() if found else []
    if story is None and found is not None:
        story = nearest_story(session, found, bands, cutoff)
    session.add(
        ArticleStoryRow(
            article_id=article_id,
            story_id=story if story is not None else article_id,
            url_key=key,
            canonical_url=canonical,
            signature=found.to_bytes() if found else None,
            shingles=found.shingles if found else 0,
            ingested_at=ingested_at,
        )
    )
    session.execute(delete(StoryBandRow).where(StoryBandRow.ingested_at < cutoff))
    if bands:
        rows = [{"band": band, "article_id": article_id, "ingested_at": ingested_at} for band in sorted(set(bands))]
        session.execute(insert(StoryBandRow), rows)
    return story if story is not None else article_id


def record_sighting(session: Session, article_id: int, article: Article, seen_at: datetime) -> bool:
    """Note that ``article``, whose exact text is stored as ``article_id``, ran under another outlet or address.

    Returns whether a new sighting was stored (not for the stored article's own outlet, nor twice).
    """
    stored = session.get(ArticleRow, article_id)
    if stored is None:
        return False
    label = Member(article_id, article.outlet, article.url).label
    if label is None or label.casefold() == (Member(article_id, stored.outlet, stored.url).label or "").casefold():
        return False  # no name to list, or the outlet that is already listed
    canonical, key = url_identity(article.url)
    seen = select(StorySightingRow.id).where(
        StorySightingRow.article_id == article_id,
        StorySightingRow.outlet.is_not_distinct_from(article.outlet),
        StorySightingRow.url_key.is_not_distinct_from(key),
    )
    if session.scalar(seen.limit(1)) is not None:
        return False
    count = select(func.count(StorySightingRow.id)).where(StorySightingRow.article_id == article_id)
    if (session.scalar(count) or 0) >= MAX_SIGHTINGS:
        return False
    row = StorySightingRow(article_id=article_id, outlet=article.outlet, url=canonical, url_key=key, seen_at=seen_at)
    session.add(row)
    return True


def nearest_story(session: Session, found: Signature, bands: Sequence[str], cutoff: datetime) -> int | None:
    """The story of the most similar recent article that is a near-duplicate of ``found``, if any."""
    candidates = (
        select(StoryBandRow.article_id)
        .where(StoryBandRow.band.in_(list(bands)), StoryBandRow.ingested_at >= cutoff)
        .distinct()
        .order_by(StoryBandRow.article_id.desc())
        .limit(MAX_CANDIDATES)
    )
    ids = list(session.scalars(candidates))
    if not ids:
        return None
    rows = session.scalars(select(ArticleStoryRow).where(ArticleStoryRow.article_id.in_(ids)))
    matches = []
    for row in rows:
        other = Signature.from_bytes(row.signature, row.shingles) if row.signature else None
        if other is not None and near_duplicates(found, other):
            matches.append((jaccard(found, other), -row.article_id, row.story_id))
    return max(matches)[2] if matches else None


def stories_of(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """Each article's story id (its own id when it has no story row)."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    found: dict[int, int] = {}
    for batch in batches(ids):
        query = select(ArticleStoryRow.article_id, ArticleStoryRow.story_id).where(
            ArticleStoryRow.article_id.in_(batch)
        )
        found.update((article_id, story_id) for article_id, story_id in session.execute(query))
    return {article_id: found.get(article_id, article_id) for article_id in ids}


@dataclass(frozen=True)
class Member:
    """A story's article as the "also in" line needs it."""

    article_id: int
    outlet: str | None
    url: str | None
    sighting: bool = False  # another outlet's run of the article's exact text, not an article of its own

    @property
    def label(self) -> str | None:
        """The outlet's name, else the host of its URL (never a file path)."""
        if self.outlet and self.outlet.strip():
            return " ".join(self.outlet.split())
        host = urlsplit(self.url).hostname if self.url and self.url.startswith(("http://", "https://")) else None
        return host.removeprefix("www.") if host else None


def members_of(session: Session, story_ids: Iterable[int], up_to: int | None = None) -> dict[int, list[Member]]:
    """The articles of each story (optionally only ids up to ``up_to``), in id order."""
    ids = list(dict.fromkeys(story_ids))
    if not ids:
        return {}
    members: dict[int, list[Member]] = {story: [] for story in ids}
    for batch in batches(ids):
        query = (
            select(ArticleStoryRow.story_id, ArticleRow.id, ArticleRow.outlet, ArticleRow.url)
            .join(ArticleRow, ArticleRow.id == ArticleStoryRow.article_id)
            .where(ArticleStoryRow.story_id.in_(batch))
            .order_by(ArticleRow.id)
        )
        sightings = (
            select(ArticleStoryRow.story_id, StorySightingRow.article_id, StorySightingRow.outlet, StorySightingRow.url)
            .join(ArticleStoryRow, ArticleStoryRow.article_id == StorySightingRow.article_id)
            .where(ArticleStoryRow.story_id.in_(batch))
            .order_by(StorySightingRow.id)
        )
        if up_to is not None:
            query = query.where(ArticleRow.id <= up_to)
            sightings = sightings.where(StorySightingRow.article_id <= up_to)
        for story, article_id, outlet, url in session.execute(query):
            members[story].append(Member(article_id, outlet, url))
        for story, article_id, outlet, url in session.execute(sightings):
            members[story].append(Member(article_id, outlet, url, sighting=True))
    return members


def also_in(representative: Member, members: Sequence[Member], limit: int = MAX_ALSO_IN) -> tuple[str, ...]:
    """The other outlets that ran the story: distinct labels other than the representative's, first seen first."""
    own = (representative.label or "").casefold()
    labels: dict[str, str] = {}
    for member in members:
        label = member.label
        itself = member.article_id == representative.article_id and not member.sighting
        if itself or not label or label.casefold() == own:
            continue
        labels.setdefault(label.casefold(), label)
    return tuple(labels.values())[:limit]


def outlets_by_article(
    session: Session, kept: Sequence[StoredArticle], story_of: Mapping[int, int], up_to: int | None = None
) -> dict[int, tuple[str, ...]]:
    """Per kept article (one per story), the other outlets that ran its story (stored articles up to ``up_to``)."""
    members = members_of(session, {story_of.get(stored.id, stored.id) for stored in kept}, up_to)
    outlets = {}
    for stored in kept:
        own = Member(stored.id, stored.article.outlet, stored.article.url)
        outlets[stored.id] = also_in(own, members.get(story_of.get(stored.id, stored.id), []))
    return outlets


def delivered_stories(session: Session, channel: str, story_ids: Iterable[int]) -> set[int]:
    """Which of these stories ``channel`` has already been given (through any of their articles)."""
    had: set[int] = set()
    for batch in batches(list(dict.fromkeys(story_ids))):
        query = (
            select(ArticleStoryRow.story_id)
            .join(DeliveredArticleRow, DeliveredArticleRow.article_id == ArticleStoryRow.article_id)
            .where(DeliveredArticleRow.channel == channel, ArticleStoryRow.story_id.in_(batch))
        )
        had.update(session.scalars(query))
    return had
