"""Quote cards: a checked pull-quote from an article, rendered as a PNG with alt text."""

from __future__ import annotations

from digests.cards.card import render_card
from digests.cards.errors import CardError
from digests.cards.settings import CARD_SIZES, CardSettings

__all__ = ["CARD_SIZES", "CardError", "CardSettings", "render_card"]
