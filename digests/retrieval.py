"""BM25 retrieval over stemmed words (PyStemmer): an incremental article index and in-article sentence ranking."""

from __future__ import annotations

import logging
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import Stemmer

logger = logging.getLogger(__name__)

K1 = 1.2
B = 0.75
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOPWORDS = frozenset(
    str.split("""a about above after again against all am an and any are as at be because been before being below
    between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours out over own same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself also said says say tell told s t whose""")
)
DERIVATIONS = (("atori", ""), ("ator", ""), ("atur", ""))

IRREGULAR = {
    past: base
    for base, forms in {
        "lose": "lost", "buy": "bought", "sell": "sold", "win": "won", "rise": "rose risen", "fall": "fell fallen",
        "grow": "grew grown growth", "take": "took taken", "make": "made", "pay": "paid", "spend": "spent",
        "hold": "held", "leave": "left", "meet": "met", "run": "ran", "give": "gave given", "find": "found",
        "bring": "brought", "build": "built", "keep": "kept", "lead": "led", "send": "sent", "begin": "began begun",
        "break": "broke broken", "choose": "chose chosen", "drive": "drove driven", "fly": "flew flown",
        "get": "got gotten", "go": "went gone", "know": "knew known", "see": "saw seen", "speak": "spoke spoken",
        "steal": "stole stolen", "think": "thought", "write": "wrote written", "sing": "sang sung",
        "shoot": "shot", "seek": "sought", "sit": "sat", "stand": "stood", "teach": "taught", "throw": "threw thrown",
        "wear": "wore worn", "strike": "struck", "catch": "caught", "fight": "fought", "feel": "felt",
        "swim": "swam swum", "die": "death dead", "sink": "sank sunk", "become": "became", "come": "came",
        "hit": "hit", "cut": "cut", "set": "set", "beat": "beaten", "freeze": "froze frozen", "hire": "hired",
    }.items()
    for past in forms.split()
}  # fmt: skip

_stemmer = Stemmer.Stemmer("english")
_stems: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball stem with a fold of agent nouns onto their verb (``signatories`` -> ``sign``)."""
    cached = _stems.get(word)
    if cached is None:
        cached = _stemmer.stemWord(IRREGULAR.get(word, word))
        for suffix, replacement in DERIVATIONS:
            if cached.endswith(suffix) and len(cached) - len(suffix) >= 4:
                cached = cached[: -len(suffix)] + replacement
                break
        if len(_stems) < 500_000:
            _stems[word] = cached
    return cached


def terms(text: str, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased, stemmed words of ``text`` without stop words."""
    words = WORD.findall(text.lower().replace("’", "'"))
    return [stem(w[:-2] if w.endswith("'s") else w) for w in words if keep_stopwords or w not in STOPWORDS]


class ArticleIndex:
    """BM25 over whole articles, grown one article at a time."""

    def __init__(self) -> None:
        self.ids: list[int] = []
        self.positions: dict[int, int] = {}
        self.lengths: list[int] = []
        self.postings: dict[str, tuple[list[int], list[int]]] = {}
        self._arrays: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}
        self._total = 0
        self._lengths: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, article_id: int, text: str) -> None:
        """Index one article's words."""
        position = len(self.ids)
        words = terms(text)
        self.positions[article_id] = position
        self.ids.append(article_id)
        self.lengths.append(len(words))
        self._total += len(words)
        for term, count in Counter(words).items():
            docs, freqs = self.postings.setdefault(term, ([], []))
            docs.append(position)
            freqs.append(count)

    def contains(self, article_id: int, term: str) -> bool:
        """Whether the article's words include ``term``."""
        position = self.positions.get(article_id)
        entry = self.postings.get(term)
        if position is None or entry is None:
            return False
        docs = entry[0]
        at = bisect_left(docs, position)
        return at < len(docs) and docs[at] == position

    def document_frequency(self, term: str) -> int:
        entry = self.postings.get(term)
        return len(entry[0]) if entry else 0

    def idf(self, term: str) -> float:
        n = self.document_frequency(term)
        return math.log(1 + (len(self.ids) - n + 0.5) / (n + 0.5))

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """Each term's idf."""
        return {term: self.idf(term) for term in set(terms)}

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        entry = self.postings.get(term)
        if entry is None:
            return None
        cached = self._arrays.get(term)
        if cached is None or cached[0] != len(entry[0]):
            cached = (len(entry[0]), np.asarray(entry[0], dtype=np.int64), np.asarray(entry[1], dtype=np.float64))
            self._arrays[term] = cached
        return cached[1], cached[2]

    def search(self, query: Sequence[str], limit: int = 5) -> list[tuple[int, float]]:
        """Best ``limit`` (article id, score) pairs, ties broken by the newer article."""
        if not self.ids or not query:
            return []
        if self._lengths is None or len(self._lengths) != len(self.lengths):
            self._lengths = np.asarray(self.lengths, dtype=np.float64)
        lengths = self._lengths
        average = self._total / len(self.ids) or 1.0
        scores = np.zeros(len(self.ids))
        for term, weight in Counter(query).items():
            arrays = self._posting_arrays(term)
            if arrays is None:
                continue
            docs, freqs = arrays
            norm = K1 * (1 - B + B * lengths[docs] / average)
            scores[docs] += weight * self.idf(term) * freqs * (K1 + 1) / (freqs + norm)
        hits = np.nonzero(scores)[0]
        if not len(hits):
            return []
        if len(hits) > limit * 4:
            hits = hits[np.argpartition(-scores[hits], limit * 4 - 1)[: limit * 4]]
        order = sorted(hits.tolist(), key=lambda i: (-scores[i], -i))[:limit]
        return [(self.ids[i], float(scores[i])) for i in order]


def rank_sentences(query: Sequence[str], sentences: Sequence[Sequence[str]], idf: dict[str, float]) -> list[float]:
    """BM25 score of each sentence (given as terms) for ``query``, with corpus-wide idf."""
    if not sentences:
        return []
    average = sum(len(s) for s in sentences) / len(sentences) or 1.0
    wanted = set(query)
    scores: list[float] = []
    for sentence in sentences:
        counts = Counter(t for t in sentence if t in wanted)
        norm = K1 * (1 - B + B * len(sentence) / average)
        scores.append(sum(idf.get(t, 0.0) * c * (K1 + 1) / (c + norm) for t, c in counts.items()))
    return scores


def coverage(query: Iterable[str], sentence: Iterable[str], idf: dict[str, float]) -> float:
    """Share of the query's idf weight that the sentence contains (0..1)."""
    wanted = set(query)
    total = sum(idf.get(t, 0.0) for t in wanted)
    if not total:
        return 0.0
    have = set(sentence)
    return sum(idf.get(t, 0.0) for t in wanted if t in have) / total
