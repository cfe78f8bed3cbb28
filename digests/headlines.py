"""Short headlines for articles that come without one."""

from __future__ import annotations

import re

from digests.sentences import split_sentences

MAX_WORDS = 12
# Only the opening of the first paragraph is split: a headline costs the same for any length of article.
LEDE_CHARS = 2_000
LEDE_BREAK = re.compile(r"\n\s*\n")
LEADING_PHRASE = re.compile(r"^(?:In|On|At|After|Before|During|Amid|As|With|Following|Despite)\b[^,]{0,80},\s+")


def headline_from_lede(body: str, max_words: int = MAX_WORDS) -> str:
    """The lede's main clause, trimmed at a word boundary: the seed article needs this."""
    opening = LEDE_BREAK.split(body.strip(), maxsplit=1)[0][:LEDE_CHARS]
    sentences = split_sentences(opening)
    lede = sentences[0] if sentences else opening
    lede = LEADING_PHRASE.sub("", lede)
    lede = re.split(r",\s+(?:accusing|saying|adding|according|while|as|after)\b", lede)[0]
    lede = lede.rstrip(" .!?;:")
    words = lede.split()
    if len(words) > max_words:
        words = words[:max_words]
        while words and words[-1].lower().strip(",;:") in STOP_TAIL:
            words.pop()
        lede = " ".join(words).rstrip(",;:") + "…"
    return lede[:1].upper() + lede[1:]


STOP_TAIL = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "for",
        "by",
        "with",
        "from",
        "that",
        "which",
        "who",
        "as",
        "its",
        "their",
        "his",
        "her",
    ]
)
