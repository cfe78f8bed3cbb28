"""Sentences that are page furniture rather than story: bylines, timestamps, photo captions, video prompts."""

from __future__ import annotations

import re

from digests.sentences import split_words

MIN_WORDS = 4
BYLINE_WORDS = 8
BYLINE = re.compile(r"^\W*By\b")
FURNITURE = re.compile(
    r"^\W*(published|updated|last (updated|modified)|video|watch|read more|related|advertisement)\b"
    r"|scroll down|click here|follow @|sign up for|all rights reserved|copyright ©",
    re.IGNORECASE,
)
# A photo caption: a short label, a colon, then the description (``Royal duties: The Queen greets ...``) ...
CAPTION = re.compile(r"^(?P<label>[A-Z][\w'’-]*(?:,? [\w'’-]+){0,3}): (?P<rest>\S)")
# ... unless the label is someone speaking (``Score says: "We have ..."``) or a quotation follows it.
SPEECH = re.compile(r"\b(said|says|told|tells|added|adds|wrote|writes|asked|explained|according)\b", re.IGNORECASE)
QUOTE_MARKS = "\"“‘'"


def is_boilerplate(sentence: str) -> bool:
    """True for a byline, timestamp, caption or prompt that should never be a summary sentence."""
    words = [word for word in split_words(sentence) if any(char.isalpha() for char in word)]
    if len(words) < MIN_WORDS or FURNITURE.search(sentence):
        return True
    if BYLINE.match(sentence) and len(words) < BYLINE_WORDS:
        return True
    caption = CAPTION.match(sentence)
    if caption is None:
        return False
    return not SPEECH.search(caption["label"]) and caption["rest"] not in QUOTE_MARKS
