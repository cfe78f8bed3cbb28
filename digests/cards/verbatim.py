"""The never-misquote rule: a card's words appear in the article exactly, in order.

Only curly versus straight quotation marks and whitespace are ignored. A card may leave out the end
of a quotation, shown by :data:`TRIM`, and only at a sentence end inside the quotation.
"""

from __future__ import annotations

import re

from digests.cards.errors import CardError

TRIM = " …"
MARKS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
    }
)


def comparable(text: str) -> str:
    """Text with curly marks made straight and whitespace collapsed."""
    return re.sub(r"\s+", " ", text.translate(MARKS)).strip()


def verbatim_parts(card_text: str) -> list[str]:
    """The stretches of article text a card shows, split where the card marks a trim."""
    return [part.strip() for part in card_text.split(TRIM) if part.strip()]


def appears_verbatim(card_text: str, article_text: str) -> bool:
    """True when every part of ``card_text`` occurs in ``article_text``, in order."""
    haystack = comparable(article_text)
    position = 0
    for part in verbatim_parts(card_text):
        found = haystack.find(comparable(part), position)
        if found < 0:
            return False
        position = found + len(comparable(part))
    return True


def check_verbatim(card_text: str, article_text: str) -> None:
    """Raise :class:`CardError` unless the card's words are the article's words."""
    if not verbatim_parts(card_text):
        raise CardError("the quote is empty")
    if not appears_verbatim(card_text, article_text):
        raise CardError("the quote's words do not appear verbatim in the article, so no card is made")


def curly(text: str) -> str:
    """Straight quotation marks and apostrophes made typographic (a change the verbatim rule ignores)."""
    out: list[str] = []
    for index, char in enumerate(text):
        before = text[index - 1] if index else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        opening = before.isspace() or before in "([{“‘—–-/"
        if char == '"':
            out.append("“" if opening else "”")
        elif char == "'":
            out.append("‘" if opening and not after.isdigit() and not after.isspace() else "’")
        else:
            out.append(char)
    return "".join(out)
