"""Offline sentence and word splitting (pysbd; no NLTK data, no network)."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

TERMINAL = re.compile(r"""[.!?…:]["'”’)\]]*\s*$""")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def segmenter() -> pysbd.Segmenter:
    """One shared pysbd segmenter for English news text."""
    return pysbd.Segmenter(language="en", clean=False)


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


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` in order; paragraph and line boundaries are respected."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for chunk in paragraph_chunks(paragraph):
            sentences.extend(s.strip() for s in segmenter().segment(chunk) if s.strip())
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
