"""Offline sentence and word splitting in one linear pass (no NLTK data, no network, no pysbd).

A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with any closing quotation marks or brackets after it) followed
by white space and more text, except:

* before a lower-case word (``i.e. a lot``, a stray `` . `` left by scraped text, ``Who is Sylvia? by Edward
  Albee``, ``Yahoo! said``);
* after a title such as ``Mr.``/``Dr.``/``Gen.``, a number abbreviation before a figure (``No. 10``), or an
  initial or dotted abbreviation (``John F. Kennedy``, ``D.C.``, ``i.e.``) or another known abbreviation, unless
  the next word is one that opens sentences (``U.S. The ...``);
* inside a double quotation that closes within the next ``QUOTE_REACH`` characters, so a quotation running over
  several sentences stays with its attribution; two quotations back to back (``…ago." "We…``) are two sentences.

Paragraphs (a blank line) always end a sentence, a line break inside a sentence (hard-wrapped text) is joined.
Every step is linear in the text's length, and every sentence is a verbatim slice of its paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from digests.abbreviations import ABBREVIATIONS, NUMBER_ABBREVIATIONS, PREPOSITIVE, STARTERS

TERMINAL = re.compile(r"""[.!?…:]["'”’)\]]*\s*$""")
# A possible sentence end: end punctuation, closing marks, white space, and the next character.
BOUNDARY = re.compile(r"""([.!?…]+)(["'”’)\]]*)\s+(?=(\S))""")
# The word before a full stop (letters, dots, apostrophes), and the word after a boundary.
WORD_BEFORE = re.compile(r"""([\w.'’&-]*)$""")
WORD_AFTER = re.compile(r"""["“‘'(\[]*([\w'’-]*)""")
QUOTE_CHAR = re.compile(r"[\"“”'‘’]")
CLOSING = frozenset({"straight", "curly_close", "single_close"})
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# sumy's words: a token as NLTK's Treebank tokenizer cuts it (inner hyphens, apostrophes and periods kept,
# clitics such as 's and n't split off), kept when it is letters with inner apostrophes or hyphens, as sumy's
# own Tokenizer keeps it; figures such as 1.13bn or 2003 are not words to sumy.
TOKEN = re.compile(r"[^\W_](?:[\w.'’-]*[^\W_])?")
CLITIC = re.compile(r"(?i)(?:(?P<nt>n['’]t)|['’](?:s|re|ve|ll|d|m))$")
SUMY_WORD = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-])*$")
QUOTE_REACH = 1000
# A picture caption that runs into the body without a full stop (``Guilty: Glenn Mason ... pension pot A respected
# bank manager ...``, ``... (pictured posed by model) A taxi driver ...``): it starts with a short label and a colon
# or holds a photo reference, and the body starts again at ``A``/``An``/``The`` and a lower-case word.
CAPTION_START = re.compile(r"^[A-Z][\w'’-]*(?: [\w'’-]+){0,3}: |\((?:pictured|not pictured|left|right|above|below)\b")
CAPTION_END = re.compile(r"(?<=[a-z0-9)]) (?=(?:A|An|The) [a-z])")
LOOK_BACK = 40


class QuoteTracker:
    """Whether a position of a text is inside a quotation, asked for positions in increasing order.

    Double quotes count as marks (straight ones toggle); a single quote opens a quotation at the start of a word
    (``'We``, ``‘We``) and closes one at the end of a word (``wider,'``, ``arse'``),
    so apostrophes inside words do not count.
    """

    def __init__(self, text: str) -> None:
        self.marks = [(match.start(), kind) for match in QUOTE_CHAR.finditer(text) if (kind := mark_kind(text, match))]
        self.closers = [position for position, kind in self.marks if kind in CLOSING]
        self.seen = 0
        self.straight = 0
        self.curly = 0
        self.single = 0

    def open_at(self, position: int) -> bool:
        """True when a quotation opened before ``position`` is still open there."""
        while self.seen < len(self.marks) and self.marks[self.seen][0] < position:
            kind = self.marks[self.seen][1]
            if kind == "straight":
                self.straight ^= 1
            elif kind == "curly_open":
                self.curly += 1
            elif kind == "curly_close":
                self.curly = max(self.curly - 1, 0)
            else:
                self.single = int(kind == "single_open")
            self.seen += 1
        return bool(self.straight or self.curly or self.single)

    def closes_soon(self, position: int) -> bool:
        """True when a closing quotation mark follows ``position`` within ``QUOTE_REACH`` characters."""
        after = bisect_right(self.closers, position - 1)
        return after < len(self.closers) and self.closers[after] - position <= QUOTE_REACH


def mark_kind(text: str, match: re.Match[str]) -> str:
    """What a quotation mark does: ``straight``, ``curly_open``, ``single_open``, ... or nothing (an apostrophe)."""
    mark, position = match.group(), match.start()
    if mark == '"':
        return "straight"
    if mark in "“”":
        return "curly_open" if mark == "“" else "curly_close"
    before = text[position - 1] if position else " "
    after = text[position + 1 : position + 2]
    word_after = after.isalnum() or after == "_"
    if mark in "'‘" and before in " \t\n([:" and word_after:
        return "single_open"
    if mark in "'’" and not before.isspace() and not word_after:
        return "single_close"
    return ""


def abbreviation_holds(word: str, next_word: str, next_char: str) -> bool:
    """True when the full stop after ``word`` is an abbreviation's, not a sentence's end."""
    key = word.lower().lstrip("'’-&")
    if not key:
        return False
    if key in PREPOSITIVE:
        return True
    if key in NUMBER_ABBREVIATIONS and next_char.isdigit():
        return True
    dotted = "." in key or (len(key) == 1 and key.isalpha())
    if dotted or key in ABBREVIATIONS:
        return next_word not in STARTERS
    return False


def is_end(chunk: str, match: re.Match[str], quotes: QuoteTracker) -> bool:
    """Whether a possible sentence end really ends the sentence."""
    next_char = match.group(3)
    if next_char.islower() and not chunk[match.end() + 1 : match.end() + 2].isupper():  # iReport, eBay: an end
        return False
    if match.group(1) == "." and not match.group(2):
        before = WORD_BEFORE.search(chunk, max(0, match.start() - LOOK_BACK), match.start())
        word = before.group(1) if before else ""
        after = WORD_AFTER.match(chunk, match.end())
        next_word = after.group(1) if after else ""
        if word and abbreviation_holds(word, next_word, next_char):
            return False
    end = match.end(2)
    return not (quotes.open_at(end) and quotes.closes_soon(end))


def cut_caption(sentence: str) -> list[str]:
    """A sentence that is a caption run into the body, cut where the body starts again (else the sentence)."""
    start = CAPTION_START.search(sentence)
    if start is None:
        return [sentence]
    end = CAPTION_END.search(sentence, start.end())
    if end is None:
        return [sentence]
    return [sentence[: end.start()], sentence[end.end() :]]


def split_chunk(chunk: str) -> list[str]:
    """Sentences of one line or hard-wrapped run of lines, picture captions cut off the body they run into."""
    return [part for sentence in boundary_split(chunk) for part in cut_caption(sentence)]


def boundary_split(chunk: str) -> list[str]:
    """Sentences of one line or hard-wrapped run of lines."""
    sentences: list[str] = []
    quotes = QuoteTracker(chunk)
    start = 0
    for match in BOUNDARY.finditer(chunk):
        if is_end(chunk, match, quotes):
            sentence = chunk[start : match.end(2)].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end(2)
    rest = chunk[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def paragraph_chunks(paragraph: str) -> list[str]:
    """Lines of a paragraph, rejoined where a line break falls mid-sentence (hard-wrapped text)."""
    chunks: list[str] = []
    pending: list[str] = []
    for line in (part.strip() for part in paragraph.splitlines()):
        if not line:
            continue
        pending.append(line)
        if TERMINAL.search(line):
            chunks.append(" ".join(pending))
            pending = []
    if pending:
        chunks.append(" ".join(pending))
    return chunks


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
        if token.isalpha():
            words.append(token)
            continue
        clitic = CLITIC.search(token)
        if clitic is not None:
            token = token[: clitic.start()]
        if SUMY_WORD.match(token):
            words.append(token)
        if clitic is not None and clitic["nt"]:
            words.append(clitic["nt"].replace("’", "'"))
    return words


class OfflineTokenizer:
    """A sumy-compatible tokenizer needing no NLTK downloads: sumy's words, offline sentences."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(sumy_words(sentence))
