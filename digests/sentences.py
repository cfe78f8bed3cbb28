"""Offline sentence and word splitting (pysbd; no NLTK data, no network).

pysbd keeps a quotation that runs over several sentences together with its attribution. Around it:

* a line that holds no possible sentence boundary skips pysbd (most lines of one-sentence-per-line text);
* a line break inside a sentence (hard-wrapped text) is joined, a blank line always ends a paragraph;
* two quotations back to back (``…ago." "We…``) are split, which pysbd does not do;
* a stray `` . `` before a lower-case word (a line break lost in scraped text, ``centre of . the island``)
  or a ``?`` inside a title (``Who is Sylvia? by Edward Albee``) does not end a sentence.

Every sentence is a verbatim slice of its paragraph.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

TERMINAL = re.compile(r"""[.!?…:]["'”’)\]]*\s*$""")
# Somewhere a sentence could end inside the text: terminal punctuation, closing marks, space, more text.
CANDIDATE = re.compile(r"""[.!?…]["'”’)\]]*\s+\S""")
# A quotation closes and the next one opens with a capital: ``ago." "We``.
QUOTE_BOUNDARY = re.compile(r"""(?<=[.!?…]["”])\s+(?=["“][A-Z])""")
# Before a lower-case word these do not end a sentence: a stray `` . `` (a line break lost in scraped text)
# or a ``?``/``!`` inside a title or name (``Who is Sylvia? by Edward Albee``, ``Yahoo! said``).
NOT_AN_END = re.compile(r"(\s\.|[?!])\s*$")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def segmenter() -> pysbd.Segmenter:
    """One shared pysbd segmenter for English news text, giving character spans."""
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def paragraph_chunks(paragraph: str) -> list[str]:
    """Lines of a paragraph, rejoined where a line break falls mid-sentence (hard-wrapped text)."""
    chunks: list[str] = []
    for line in (part.strip() for part in paragraph.splitlines()):
        if not line:
            continue
        if chunks and not TERMINAL.search(chunks[-1]):
            chunks[-1] = f"{chunks[-1]} {line}"
        else:
            chunks.append(line)
    return chunks


def chunk_spans(chunk: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence pysbd finds in one chunk, rejoining false ends before lower-case words."""
    spans: list[tuple[int, int]] = []
    for span in segmenter().segment(chunk):
        start, end = span.start, span.end
        if spans and chunk[start:end].lstrip()[:1].islower() and NOT_AN_END.search(chunk[spans[-1][0] : start]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def split_chunk(chunk: str) -> list[str]:
    """Sentences of one line or hard-wrapped run of lines."""
    if not CANDIDATE.search(chunk):
        return [chunk]
    sentences: list[str] = []
    for start, end in chunk_spans(chunk):
        for part in QUOTE_BOUNDARY.split(chunk[start:end]):
            if part.strip():
                sentences.append(part.strip())
    return sentences


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order; paragraph and line boundaries are respected."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for chunk in paragraph_chunks(paragraph):
            sentences.extend(split_chunk(chunk))
    return sentences


def split_words(sentence: str) -> list[str]:
    """Word tokens of a sentence (letters and digits, keeping inner apostrophes)."""
    return WORD.findall(sentence)


class OfflineTokenizer:
    """A sumy-compatible tokenizer backed by pysbd, needing no NLTK downloads."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(split_words(sentence))
