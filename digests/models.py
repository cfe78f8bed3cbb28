"""Plain typed values that flow through newsdigest: articles, their analysis, digests, answers, cards."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime


def without_nul(text: str) -> str:
    """``text`` without NUL characters, which PostgreSQL cannot store in text columns."""
    return text.replace("\x00", "") if "\x00" in text else text


def public_source(source: str) -> str:
    """What may be shown of a source: a web address as it is, a file by its name only (never a server path)."""
    if re.match(r"(?i)https?://", source):
        return source
    return re.split(r"[\\/]", source.rstrip("\\/"))[-1] or source


def normalise_text(text: str) -> str:
    """Collapse whitespace so that reformatting the same article yields the same hash."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Article:
    """An article as loaded from a file, feed or URL, before analysis."""

    title: str
    body: str
    source: str
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    author: str | None = None
    encoding: str | None = field(default=None, compare=False)  # set when the file was not UTF-8, e.g. cp1252

    @property
    def content_hash(self) -> str:
        """Identity of the article's words: the same body ingested twice is stored once."""
        return hashlib.sha256(normalise_text(self.body).encode("utf-8")).hexdigest()

    @property
    def public_source(self) -> str:
        """Where the article is from as anyone may see it: its URL, else its file's name (never a server path)."""
        return self.url or public_source(self.source)

    @property
    def paragraphs(self) -> list[str]:
        """Body paragraphs, split on blank lines."""
        return [p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip()]


@dataclass(frozen=True)
class Figure:
    """A number the article reports, with what it counts and who says so."""

    text: str
    kind: str
    sentence: str
    value: float | None = None
    unit: str | None = None
    counts: str | None = None
    qualifiers: tuple[str, ...] = ()
    attribution: str | None = None
    normalised: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class Quote:
    """A direct quotation with its speaker and the verb or phrase that introduces it."""

    text: str
    sentence: str
    speaker: str | None = None
    cue: str | None = None
    speaker_ref: str | None = None


@dataclass(frozen=True)
class Actor:
    """A person, organisation or group the article names, with the role text around it."""

    name: str
    kind: str
    sentence: str
    role: str | None = None


@dataclass(frozen=True)
class Analysis:
    """Everything computed from an article at ingest time."""

    sentences: tuple[str, ...]
    summary: tuple[str, ...]
    figures: tuple[Figure, ...] = ()
    quotes: tuple[Quote, ...] = ()
    actors: tuple[Actor, ...] = ()
    version: int = 0  # digests.pipeline.ANALYSIS_VERSION when made; 0 for analyses stored before versions
    summariser: str | None = None  # the summary algorithm and sentence count the summary was made with
    summary_sentences: int | None = None


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store holds it."""

    id: int
    article: Article
    analysis: Analysis
    ingested_at: datetime


@dataclass(frozen=True)
class DigestItem:
    """One article's entry in a digest."""

    article_id: int
    title: str
    source: str
    summary: tuple[str, ...]
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    key_figures: tuple[Figure, ...] = ()
    card_path: str | None = None
    card_alt_text: str | None = None
    also_in: tuple[str, ...] = ()  # other outlets that ran the same story (grouped as one item)


@dataclass(frozen=True)
class Digest:
    """A titled list of summarised articles, ready for any channel to render."""

    title: str
    created_at: datetime
    items: tuple[DigestItem, ...] = field(default_factory=tuple)
    notice: str | None = None  # shown instead of "No new articles." by an itemless message (an operational alert)

    @property
    def is_empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class Citation:
    """Where an answer's words come from."""

    article_id: int
    title: str
    source: str
    sentence: str


@dataclass(frozen=True)
class Answer:
    """A grounded answer; ``answered`` is False when the articles do not say."""

    question: str
    kind: str
    text: str
    citations: tuple[Citation, ...] = ()
    answered: bool = True
    short: str = ""  # the answer on its own (a name, number, date or place), when there is one


@dataclass(frozen=True)
class QuoteCard:
    """A rendered pull-quote image with what a screen reader needs."""

    png: bytes
    quote: str
    speaker: str
    alt_text: str
    width: int
    height: int
    article_id: int | None = None
    outlet: str | None = None
    is_quotation: bool = True
