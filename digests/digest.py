"""Build a digest from stored articles."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from digests.models import Digest, DigestItem, Figure, StoredArticle

MAX_KEY_FIGURES = 3
COUNT_KINDS = frozenset({"count", "money", "percent", "measure"})


@dataclass(frozen=True)
class CardFile:
    """A saved quote card: where the PNG is and the alt text a screen reader announces for it."""

    path: str
    alt_text: str


# Makes and saves the quote cards of a digest's articles: article id -> card (an article may have none).
CardMaker = Callable[[Sequence[StoredArticle]], Mapping[int, CardFile]]


def key_figures(figures: Sequence[Figure], limit: int = MAX_KEY_FIGURES) -> tuple[Figure, ...]:
    """The first figures that count something (not dates or years), in article order."""
    chosen = [f for f in figures if f.kind in COUNT_KINDS and f.counts]
    return tuple(chosen[:limit])


def digest_item(stored: StoredArticle, card: CardFile | None = None, also_in: Sequence[str] = ()) -> DigestItem:
    """One article's digest entry: headline, summary, key figures, source, the other outlets with the story."""
    article = stored.article
    return DigestItem(
        article_id=stored.id,
        title=article.title,
        source=article.public_source,
        summary=stored.analysis.summary,
        url=article.url,
        outlet=article.outlet,
        published=article.published,
        key_figures=key_figures(stored.analysis.figures),
        card_path=card.path if card else None,
        card_alt_text=card.alt_text if card else None,
        also_in=tuple(also_in),
    )


def build_digest(
    articles: Sequence[StoredArticle],
    title: str = "News digest",
    cards: Mapping[int, CardFile] | None = None,
    now: datetime | None = None,
    also_in: Mapping[int, Sequence[str]] | None = None,
) -> Digest:
    """A digest of ``articles`` in the order given, each with its quote card when ``cards`` has one.

    ``also_in`` names, per article id, the other outlets whose copies of the story the item stands for.
    """
    cards = cards or {}
    also_in = also_in or {}
    return Digest(
        title=title,
        created_at=now or datetime.now(UTC),
        items=tuple(digest_item(stored, cards.get(stored.id), also_in.get(stored.id, ())) for stored in articles),
    )
