"""The quote cards a digest points at, read from disk with the alt text a screen reader needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bot.discord.render import CardAttachment
from digests.models import Digest, DigestItem

logger = logging.getLogger(__name__)

CardText = Callable[[DigestItem, bytes], str]


def headline_alt_text(item: DigestItem, png: bytes = b"") -> str:
    """The card's own alt text (quote, speaker, outlet); a description from the headline for older digests."""
    return item.card_alt_text or f"Quote card for the article “{item.title}”"


def load_cards(digest: Digest, alt_text: CardText = headline_alt_text) -> dict[int, CardAttachment]:
    """The quote cards the digest points at; an unreadable card is skipped with a warning, never fatal."""
    cards: dict[int, CardAttachment] = {}
    for item in digest.items:
        if not item.card_path:
            continue
        path = Path(item.card_path)
        try:
            data = path.read_bytes()
        except OSError as error:
            logger.warning(
                "quote card %s for article %s is not readable (%s); posting without it", path, item.article_id, error
            )
            continue
        name = f"quote-card-{item.article_id}{path.suffix or '.png'}"
        cards[item.article_id] = CardAttachment(name, data, alt_text(item, data))
    return cards
