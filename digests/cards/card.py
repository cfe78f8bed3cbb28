"""Article in, checked quote card out."""

from __future__ import annotations

import logging
from dataclasses import replace

from digests.cards.alt import alt_text
from digests.cards.choice import Candidate, candidates
from digests.cards.colours import MIN_LARGE_CONTRAST, contrast_ratio
from digests.cards.errors import CardError
from digests.cards.render import CardText, palette, render_png
from digests.cards.settings import CardSettings
from digests.cards.verbatim import check_verbatim, curly
from digests.models import QuoteCard, StoredArticle

logger = logging.getLogger(__name__)

MAX_TRIES = 8


def display_speaker(speaker: str) -> str:
    """The speaker as extracted, with a capital first letter and typographic apostrophes."""
    return curly(speaker[:1].upper() + speaker[1:])


def attribution_line(candidate: Candidate, outlet: str) -> str:
    """``— Speaker, Outlet`` for a quotation; ``Source: Speaker, Outlet`` for a reported sentence."""
    where = f", {outlet}" if outlet else ""
    lead = "— " if candidate.is_quotation else "Source: "
    return f"{lead}{display_speaker(candidate.speaker)}{where}"


def dateline(stored: StoredArticle) -> str | None:
    """``12 June 2025`` when the article says when it was published."""
    published = stored.article.published
    return f"{published.day} {published:%B %Y}" if published else None


def render_card(stored: StoredArticle, settings: CardSettings) -> QuoteCard:
    """The card for ``stored``; raises :class:`CardError` with a one-line reason when none can be made."""
    size = settings.dimensions
    if contrast_ratio(settings.foreground, settings.background) < MIN_LARGE_CONTRAST:
        raise CardError("the card's text colour is too close to its background colour to read")
    if contrast_ratio(settings.accent, settings.background) < MIN_LARGE_CONTRAST:
        raise CardError("the card's accent colour is too close to its background colour to read")
    colours = palette(settings.background, settings.foreground, settings.accent)
    brand = settings.outlet.strip()
    outlet = (stored.article.outlet or brand).strip()
    ranked = candidates(stored)
    if not ranked:
        raise CardError("the article has no quotation with a named speaker and no attributed sentence to quote")
    first_problem: CardError | None = None
    for found in ranked[:MAX_TRIES]:
        candidate = replace(found, text=curly(found.text))
        try:
            check_verbatim(candidate.text, stored.article.body)
            text = CardText(
                quote=candidate.text,
                attribution=attribution_line(candidate, outlet),
                is_quotation=candidate.is_quotation,
                headline=curly(stored.article.title) if settings.headline else None,
                dateline=dateline(stored) if settings.headline else None,
                outlet=brand if brand.casefold() != outlet.casefold() else "",
                logo=settings.logo,
            )
            png = render_png(text, size, colours)
        except CardError as problem:
            logger.debug("article %s: skipped a candidate: %s", stored.id, problem)
            first_problem = first_problem or problem
            continue
        return QuoteCard(
            png=png,
            quote=candidate.text,
            speaker=candidate.speaker,
            alt_text=alt_text(candidate.text, display_speaker(candidate.speaker), outlet, candidate.is_quotation),
            width=size[0],
            height=size[1],
            article_id=stored.id,
            outlet=outlet or None,
            is_quotation=candidate.is_quotation,
        )
    assert first_problem is not None
    raise first_problem
