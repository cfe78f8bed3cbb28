"""The one error a card can end in, worded for a newsroom editor."""

from __future__ import annotations


class CardError(ValueError):
    """No card can be made; the message is one line saying why."""
