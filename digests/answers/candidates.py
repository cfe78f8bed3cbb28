"""Candidate answers of the expected type found in one evidence unit, each with where it stands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.answers.text import strip_dateline
from digests.figures import time_expressions
from digests.patterns import rx
from digests.retrieval import STOPWORDS, terms

CALENDAR = frozenset(
    str.split("january february march april may june july august september october november december monday tuesday "
              "wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec")
)  # fmt: skip
NOT_NAMES = frozenset(
    str.split("i he she they we it you his her their its our this that these those there here mr mrs ms dr but and "
              "or if when while after before as at in on for from with without by of to the a an yes no so then "
              "now also however meanwhile although though because since watch read click get see")
)  # fmt: skip
NAME_SPAN = re.compile(
    r"[A-Z][\w’'.&-]*(?:\s+(?:(?:of|for|de|da|del|van|von|bin|al|la|le|du|and)\s+(?:the\s+)?)?[A-Z][\w’'.&-]*)*"
)
PLACE_BEFORE = re.compile(
    r"\b(?:in|at|from|near|to|into|across|outside|inside|throughout|around|towards?|toward|via|of|visit(?:ed|ing)?)"
    r"\s+(?:the\s+)?$",
    re.I,
)
NUMBER = re.compile(
    r"(?:(?:about|around|nearly|almost|more than|less than|fewer than|at least|at most|up to|some|over|roughly|"
    r"approximately|an estimated|as many as|as much as)\s+)?"
    r"(?:[$£€]\s?\d[\d,.]*|\d[\d,.]*|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|a hundred|hundreds|thousands|dozens|millions|a dozen)(?:[- ](?:one|two|three|four|five|six|"
    r"seven|eight|nine))?)"
    r"(?:\s?%|\s?(?:percent|per cent|million|billion|trillion|thousand|hundred|m|bn|k)\b)?"
    r"(?:\s+(?:[a-z][a-z-]+)){0,2}",
    re.I,
)
YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


@dataclass(frozen=True)
class Candidate:
    """A possible answer: its text, its type and its character span in the unit."""

    text: str
    kind: str
    start: int
    end: int


def name_spans(sentence: str, common: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """Capitalised spans that can name someone or somewhere, with sentence-initial function words dropped (and
    a sentence-initial word the article also writes in lower case, ``common``)."""
    body, offset = strip_dateline(sentence)
    found: list[tuple[str, int, int]] = []
    for match in NAME_SPAN.finditer(body):
        words = match.group(0).split()
        start = match.start()
        if start == 0 and words and words[0].lower() in common:
            start += len(words[0]) + 1
            words = words[1:]
        while words and (words[0].lower().strip("’'.") in NOT_NAMES or words[0].lower() in STOPWORDS):
            start += len(words[0]) + 1
            words = words[1:]
        while words and words[-1].lower() in ("of", "for", "de", "and", "the", "da", "del", "van", "von", "al", "la"):
            words = words[:-1]
        if not words:
            continue
        text = " ".join(words).rstrip(".,’'")
        text = rx(r"[’']s$").sub("", text)
        if not text or all(w.lower().strip(".") in CALENDAR for w in text.split()):
            continue
        found.append((text, offset + start, offset + start + len(text)))
    return found


def agents(sentence: str, common: frozenset[str] = frozenset()) -> list[Candidate]:
    return [Candidate(text, "agent", start, end) for text, start, end in name_spans(sentence, common)]


def places(sentence: str, common: frozenset[str] = frozenset()) -> list[Candidate]:
    """Names after a place preposition and "City, Region" pairs joined into one place."""
    spans = name_spans(sentence, common)
    found: list[Candidate] = []
    index = 0
    while index < len(spans):
        text, start, end = spans[index]
        if index + 1 < len(spans) and sentence[end : spans[index + 1][1]] == ", ":
            following = spans[index + 1]
            text, end = f"{text}, {following[0]}", following[2]
            index += 1
        if PLACE_BEFORE.search(sentence[max(0, start - 25) : start]):
            found.append(Candidate(text, "place", start, end))
        index += 1
    return found


def times(sentence: str, common: frozenset[str] = frozenset()) -> list[Candidate]:
    found: list[Candidate] = []
    body, offset = strip_dateline(sentence)
    for expression in dict.fromkeys(e.strip() for e in time_expressions(body)):
        position = body.find(expression)
        if position >= 0:
            found.append(Candidate(expression, "time", offset + position, offset + position + len(expression)))
    if not found:
        for match in YEAR.finditer(body):
            found.append(Candidate(match.group(0), "time", offset + match.start(), offset + match.end()))
    return found


def numbers(sentence: str, common: frozenset[str] = frozenset()) -> list[Candidate]:
    body, offset = strip_dateline(sentence)
    found: list[Candidate] = []
    for match in NUMBER.finditer(body):
        text = match.group(0).strip()
        words = text.split()
        while len(words) > 1 and words[-1].lower() in STOPWORDS:
            words.pop()
        text = " ".join(words).rstrip(".,")
        if YEAR.fullmatch(text) or not rx(r"\d|[a-z]").search(text):
            continue
        found.append(Candidate(text, "number", offset + match.start(), offset + match.start() + len(text)))
    return found


FINDERS = {"agent": agents, "speaker": agents, "place": places, "time": times, "number": numbers}


def candidates(sentence: str, expects: str, common: frozenset[str] = frozenset()) -> list[Candidate]:
    """The candidates of the expected type in ``sentence`` (none for types answered by whole sentences);
    ``common`` holds the words the article also writes in lower case."""
    finder = FINDERS.get(expects)
    return finder(sentence, common) if finder else []


def candidate_terms(candidate: Candidate) -> set[str]:
    return set(terms(candidate.text))


def listed_after(sentence: str, position: int) -> str:
    """The names listed from ``position`` up to the clause that is no longer a name: "Prime Minister Benjamin
    Netanyahu, Defence Minister Israel Katz, and the Chief of Staff of the IDF" before ", the officers"."""
    parts = rx(r",\s+").split(sentence[position:])
    kept: list[str] = []
    for part in parts:
        bare = rx(r"^(?:and|or)\s+").sub("", part)
        if not rx(r"^(?:the\s+)?[A-Z]").match(bare):
            break
        kept.append(part)
        if rx(r"[.;:]\s*$").search(part):
            break
    return ", ".join(kept).rstrip(" .;:")
