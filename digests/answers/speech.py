"""Who said what, faithfully: words are given only with the speaker the article gives them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digests.actors import singular
from digests.models import Quote
from digests.patterns import rx
from digests.quotes import CUE_WORDS, sentence_subject
from digests.retrieval import terms

HONORIFICS = frozenset(str.split("mr mrs ms dr sir lord ladi prof the"))
NO_RESPONSE = re.compile(
    r"\b(?:(?:has|have|had)\s+not\s+(?:yet\s+)?(?:responded|commented|replied|returned|issued|made|given)|"
    r"did\s+not\s+(?:immediately\s+)?(?:respond|reply|return|comment)|(?:declined|refused)\s+to\s+comment|"
    r"could\s+not\s+(?:immediately\s+)?be\s+reached|(?:was|were)\s+not\s+available\s+for\s+comment|"
    r"no\s+(?:immediate\s+|official\s+)?(?:comment|response|reply)|yet\s+to\s+(?:respond|comment|reply))\b",
    re.I,
)


def speaker_terms(focus: Sequence[str]) -> list[str]:
    """The asked-about speaker's words without honorifics, singular: ``Mr Blair`` -> ``blair``."""
    return [singular(t) for t in focus if t not in HONORIFICS]


def names_speaker(description: str | None, wanted: Sequence[str]) -> bool:
    """Whether ``description`` (a speaker as written or resolved) is the asked-about speaker: it holds all the
    asked words and ends in the same head word. "The Israeli military" is not "41 Israeli military officers"."""
    if not description or not wanted:
        return False
    said = [singular(t) for t in terms(description)]
    return bool(said) and set(wanted) <= set(said) and said[-1] == wanted[-1]


def spoken_by(quote: Quote, focus: Sequence[str]) -> bool:
    wanted = speaker_terms(focus)
    return names_speaker(quote.speaker, wanted) or names_speaker(quote.speaker_ref, wanted)


def speaker_text(quote: Quote) -> str:
    """``the officers (41 Israeli … reservists), wrote``."""
    speaker = quote.speaker or "unattributed"
    if quote.speaker_ref and quote.speaker_ref.lower() not in speaker.lower():
        speaker = f"{speaker} ({quote.speaker_ref})"
    return f"{speaker}, {quote.cue}" if quote.cue else speaker


def reported(sentence: str, focus: Sequence[str]) -> bool:
    """A sentence in which the asked-about speaker is the subject of a speech verb (reported speech)."""
    subject = sentence_subject(sentence)
    if not subject or not names_speaker(subject, speaker_terms(focus)):
        return False
    return not CUE_WORDS.isdisjoint(rx(r"[a-z]+").findall(sentence.lower()))


def no_response(sentence: str, focus: Sequence[str]) -> bool:
    """A sentence saying the asked-about speaker has not responded or declined to comment."""
    if not NO_RESPONSE.search(sentence):
        return False
    wanted = set(speaker_terms(focus))
    return bool(wanted) and wanted <= {singular(t) for t in terms(sentence)}
