"""The quote cards a digest points at, read from disk with the alt text a screen reader needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.discord.render import CardAttachment
from digests.models import Digest, DigestItem

if TYPE_CHECKING:
    from bot.app import App

logger = logging.getLogger(__name__)

CardText = Callable[[DigestItem, bytes], str]


def headline_alt_text(item: DigestItem, png: bytes = b"") -> str:
    """The item's own card alt text when it carries one, else a description from the headline."""
    alt: Any = getattr(item, "card_alt_text", None)
    return str(alt) if alt else f"Quote card for the article “{item.title}”"


class StoredCardText:
    """Alt text from the card itself: cards are deterministic, so re-rendering the stored article's card gives
    the same PNG, and its alt text (quote, speaker, outlet) belongs to the file only when the bytes match."""

    def __init__(self, app: App) -> None:
        self.app = app

    def __call__(self, item: DigestItem, png: bytes) -> str:
        if getattr(item, "card_alt_text", None):
            return headline_alt_text(item)
        from digests.cards import CardError, render_card

        stored = self.app.store.get(item.article_id)
        if stored is not None:
            try:
                card = render_card(stored, self.app.card_settings)
            except CardError:
                card = None
            if card is not None and card.png == png:
                return card.alt_text
        return headline_alt_text(item)


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
