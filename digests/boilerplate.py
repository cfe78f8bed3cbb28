"""Sentences that are page furniture rather than story: bylines, timestamps, photo captions, video prompts.

A sentence that points at a picture (``pictured``, ``(left)``, ``Above:``) describes something a digest reader
cannot see, so it counts as a caption too.
"""

from __future__ import annotations

import re

from digests.sentences import split_words

MIN_WORDS = 4
BYLINE_WORDS = 8
BYLINE = re.compile(r"^\W*By\b")
FURNITURE = re.compile(
    r"^\W*(?:(?:published|updated|video|watch|read more|related(?: articles| stories)?|advertisement)\s*[:|]"
    r"|last (?:updated|modified)\b)"
    r"|scroll down|click here|follow @|sign up for|all rights reserved|copyright ©",
    re.IGNORECASE,
)
SHOUTED = re.compile(r"^\W*(?:VIDEO|WATCH|PUBLISHED|UPDATED)\b")
# A photo caption: a short label, a colon, then the description (``Royal duties: The Queen greets ...``) ...
CAPTION = re.compile(r"^(?P<label>[A-Z][\w'’-]*(?:,? [\w'’-]+){0,3}): (?P<rest>\S)")
# ... unless the label is someone speaking (``Score says: "We have ..."``) or a quotation follows it.
SPEECH = re.compile(r"\b(said|says|told|tells|added|adds|wrote|writes|asked|explained|according)\b", re.IGNORECASE)
QUOTE_MARKS = "\"“‘'"
PHOTO = re.compile(
    r"\bpictured\b"
    r"|[,(]\s*(?:pictured\s+)?(?:left|right|centre|center|above|below|top|bottom)\s*[,)]"
    r"|^(?:left|right|above|below|top|bottom)\b\s*[,:]",
    re.IGNORECASE,
)


def is_boilerplate(sentence: str) -> bool:
    """True for a byline, timestamp, caption, photo reference or prompt: never a summary sentence."""
    words = [word for word in split_words(sentence) if not word.isdigit()]
    if len(words) < MIN_WORDS or FURNITURE.search(sentence) or SHOUTED.match(sentence):
        return True
    if (BYLINE.match(sentence) and len(words) < BYLINE_WORDS) or PHOTO.search(sentence):
        return True
    caption = CAPTION.match(sentence)
    if caption is None:
        return False
    return not SPEECH.search(caption["label"]) and caption["rest"] not in QUOTE_MARKS
