"""Offline sentence and word splitting (pysbd; no NLTK data, no network).

pysbd keeps a quotation that runs over several sentences together with its attribution. Around it:

* a line that holds no possible sentence boundary skips pysbd (most lines of one-sentence-per-line text);
* a long paragraph is first cut, every few hundred characters, where a sentence surely ends (a full word, not
  an abbreviation, then ``.``/``!``/``?``, a space and a capital, with no quotation left open before it):
  on long inputs pysbd sometimes leaves runs of sentences unsplit;
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
from pysbd.lang.english import English

TERMINAL = re.compile(r"""[.!?…:]["'”’)\]]*\s*$""")
# Somewhere a sentence could end inside the text: terminal punctuation, closing marks, space, more text.
CANDIDATE = re.compile(r"""[.!?…]["'”’)\]]*\s+\S""")
# A quotation closes and the next one opens with a capital: ``ago." "We``.
QUOTE_BOUNDARY = re.compile(r"""(?<=[.!?…]["”])\s+(?=["“][A-Z])""")
# Before a lower-case word these do not end a sentence: a stray `` . `` (a line break lost in scraped text)
# or a ``?``/``!`` inside a title or name (``Who is Sylvia? by Edward Albee``, ``Yahoo! said``).
NOT_AN_END = re.compile(r"(\s\.|[?!])\s*$")
# A cut point for long paragraphs: a word of two or more letters, end punctuation, space, capital.
SURE_END = re.compile(r"\b([A-Za-z][a-z]+)[.!?] +(?=[A-Z])")
ABBREVIATIONS = frozenset(English.Abbreviation.ABBREVIATIONS)
PIECE_CHARS = 400
DOUBLE_QUOTES = re.compile(r"[“”]|\"")
SINGLE_OPENS = re.compile(r"‘|(?:^|(?<=[\s(\[]))'(?=\w)")
SINGLE_CLOSES = re.compile(r"(?<=[.,!?])[’']")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# sumy's words: a token as NLTK's Treebank tokenizer cuts it (inner hyphens, apostrophes and periods kept,
# clitics such as 's and n't split off), kept when it is letters with inner apostrophes or hyphens, as sumy's
# own Tokenizer keeps it; figures such as 1.13bn or 2003 are not words to sumy.
TOKEN = re.compile(r"[^\W_](?:[\w.'’-]*[^\W_])?")
CLITIC = re.compile(r"(?i)(?:(?P<nt>n['’]t)|['’](?:s|re|ve|ll|d|m))$")
SUMY_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$")


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


def inside_quotation(text: str) -> bool:
    """True when ``text`` leaves a quotation open (an odd double quote, or more single openers than closers)."""
    doubles = DOUBLE_QUOTES.findall(text)
    if doubles.count('"') % 2 or doubles.count("“") > doubles.count("”"):
        return True
    return len(SINGLE_OPENS.findall(text)) > len(SINGLE_CLOSES.findall(text))


def pieces(chunk: str) -> list[str]:
    """A long chunk cut at sure sentence ends into pieces of at least ``PIECE_CHARS`` characters."""
    if len(chunk) < 2 * PIECE_CHARS:
        return [chunk]
    cut: list[str] = []
    start = 0
    for match in SURE_END.finditer(chunk):
        if match.start() - start < PIECE_CHARS or match.group(1).lower() in ABBREVIATIONS:
            continue
        end = match.end(1) + 1
        if not inside_quotation(chunk[start:end]):
            cut.append(chunk[start:end])
            start = match.end()
    cut.append(chunk[start:])
    return cut


def split_chunk(chunk: str) -> list[str]:
    """Sentences of one line or hard-wrapped run of lines."""
    if not CANDIDATE.search(chunk):
        return [chunk]
    sentences: list[str] = []
    for piece in pieces(chunk):
        for start, end in chunk_spans(piece):
            for part in QUOTE_BOUNDARY.split(piece[start:end]):
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


def sumy_words(sentence: str) -> list[str]:
    """The words sumy's own Tokenizer gives for a sentence (Treebank tokens that are words), without NLTK data."""
    words: list[str] = []
    for token in TOKEN.findall(sentence):
        clitic = CLITIC.search(token)
        if clitic is not None:
            token = token[: clitic.start()]
        if SUMY_WORD.match(token):
            words.append(token)
        if clitic is not None and clitic["nt"]:
            words.append(clitic["nt"].replace("’", "'"))
    return words


class OfflineTokenizer:
    """A sumy-compatible tokenizer backed by pysbd, needing no NLTK downloads: sumy's words, offline sentences."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(sumy_words(sentence))
