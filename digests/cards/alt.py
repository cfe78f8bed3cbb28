"""Alt text for screen readers: the words on the card, who said them, and the outlet."""

from __future__ import annotations


def alt_text(quote: str, speaker: str, outlet: str, is_quotation: bool, headline: str | None = None) -> str:
    """One or two sentences a screen reader can read in place of the image."""
    where = f", {outlet}" if outlet else ""
    if is_quotation:
        text = f"Quote card: “{quote}” — {speaker}{where}."
    else:
        text = f"Card quoting the article: {quote} Source: {speaker}{where}."
    if headline:
        text += f" From the story “{headline}”."
    return text
