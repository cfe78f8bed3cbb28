"""Text helpers for answers: evidence units, datelines, bylines and captions, shortening."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digests.patterns import rx

LONG_SENTENCE = 320
ABBREVIATION_END = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Lt|Col|Gen|St|Jr|Sr|No|Capt|Cmdr|Sgt|Prof|Rev|Mt|Ft|Sept|Jan|Feb|"
    r"Aug|Oct|Nov|Dec|Inc|Corp|Co|vs|U\.S|U\.N|U\.K))\.[”\"]?$"
)
DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z.'’-]*(?:\s+[A-Z][A-Za-z.'’-]*)*\s*(?:,\s*[A-Z][A-Za-z.'’ -]*?)?\s*)?"
    r"\((?:CNN|AP|Reuters|AFP|CNN Student News|EW\.com|Mashable|Time\.com)\)\s*(?:--|—|–|-)?\s*"
)
UPPER_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .'’-]*?)?\s*(?:--|—|–)\s*")
FURNITURE = re.compile(
    r"^(?:By\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:,|$)|Watch\b|Read more\b|Click\b|Photos?:|"
    r"Scroll down\b|E-mail to a friend|Copyright\b|All rights reserved)|contributed to this report|"
    r"\b(?:Getty Images|AFP/Getty|AP Photo|Photo:)",
)


def strip_dateline(sentence: str) -> tuple[str, int]:
    """The sentence without a leading dateline (``LOS ANGELES, California (CNN) --``) and the offset removed."""
    match = DATELINE.match(sentence) or UPPER_DATELINE.match(sentence)
    if match is None or match.end() >= len(sentence):
        return sentence, 0
    return sentence[match.end() :], match.end()


def is_furniture(sentence: str) -> bool:
    """A byline, caption, credit or page prompt: never an answer, never evidence."""
    return bool(FURNITURE.search(sentence))


def units(sentence: str) -> list[str]:
    """A sentence as evidence units: a run-on "sentence" (a paragraph the splitter could not break) is cut at
    sentence ends so that an answer quotes one sentence, not a paragraph."""
    if len(sentence) <= LONG_SENTENCE:
        return [sentence]
    parts = rx(r"(?:(?<=[.!?])|(?<=[.!?][”\"]))\s+(?=[“\"]?[A-Z])").split(sentence)
    joined: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if joined and ABBREVIATION_END.search(joined[-1]):
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


def evidence_units(sentences: Sequence[str]) -> list[str]:
    """All evidence units of an article, in order."""
    return [unit for sentence in sentences for unit in units(sentence)]


def shorten(sentence: str, limit: int) -> str:
    """The sentence cut at a clause or word boundary before ``limit`` characters, marked with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    for mark in (", ", "; ", " – ", " — ", " "):
        position = cut.rfind(mark)
        if position > limit // 2:
            return cut[:position].rstrip(" ,;") + "…"
    return cut + "…"
