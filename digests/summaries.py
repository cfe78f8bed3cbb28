"""Extractive summaries with sumy's summarisers (and NewsRank, the default) over offline-split sentences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache

import numpy
import Stemmer as PyStemmer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer
from sumy.summarizers.edmundson import EdmundsonSummarizer
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.reduction import ReductionSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from digests.boilerplate import without_dateline
from digests.newsrank import NewsRankSummarizer
from digests.sentences import OfflineTokenizer

SUMY_SUMMARISERS: dict[str, type[AbstractSummarizer]] = {
    "lexrank": LexRankSummarizer,
    "textrank": TextRankSummarizer,
    "lsa": LsaSummarizer,
    "luhn": LuhnSummarizer,
    "edmundson": EdmundsonSummarizer,
    "kl": KLSummarizer,
    "sumbasic": SumBasicSummarizer,
    "reduction": ReductionSummarizer,
}
SUMMARISERS: dict[str, type[AbstractSummarizer]] = {**SUMY_SUMMARISERS, "newsrank": NewsRankSummarizer}
# Chosen by measurement: see the Summaries section of docs/BENCHMARKS.md (`newsdigest bench summaries`).
DEFAULT_ALGORITHM = "newsrank"
ALGORITHMS = ("default", *SUMMARISERS)

Summariser = Callable[[Sequence[Sequence[str]], int], tuple[str, ...]]


class UnknownAlgorithm(ValueError):
    """Raised for a summariser name newsdigest does not know."""


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(get_stop_words("english"))


class CachedStemmer:
    """English Snowball stemming (PyStemmer's C implementation), remembering up to ``size`` words it has stemmed."""

    def __init__(self, language: str = "english", size: int = 100_000) -> None:
        self.snowball = PyStemmer.Stemmer(language)
        self.size = size
        self.known: dict[str, str] = {}

    def uncached(self, word: str) -> str:
        result: str = self.snowball.stemWord(word.replace("’", "'"))
        return result

    def __call__(self, word: str) -> str:
        stem = self.known.get(word)
        if stem is None:
            if len(self.known) >= self.size:
                self.known.clear()
            stem = self.known[word] = self.uncached(word)
        return stem

    def cache_clear(self) -> None:
        self.known.clear()


@lru_cache(maxsize=1)
def stemmer() -> CachedStemmer:
    return CachedStemmer()


def build_document(paragraphs: Sequence[Sequence[str]]) -> ObjectDocumentModel:
    """A sumy document from paragraphs of already-split sentences."""
    tokenizer = OfflineTokenizer()
    return ObjectDocumentModel(
        tuple(Paragraph([Sentence(text, tokenizer) for text in sentences]) for sentences in paragraphs if sentences)
    )


@cache
def sumy_summariser(name: str) -> AbstractSummarizer:
    """The process's configured summariser of that name, sharing one stem cache."""
    return make_summariser(name, stemmer())


def make_summariser(name: str, stem: CachedStemmer) -> AbstractSummarizer:
    """A summariser with the English stop words and the given stemmer."""
    summariser = SUMMARISERS[name](stem)
    summariser.stop_words = stop_words()
    if isinstance(summariser, EdmundsonSummarizer):
        summariser.null_words = stop_words()
        summariser.bonus_words = ("said", "according", "announced", "reported")
        summariser.stigma_words = ("however", "but", "although")
    return summariser


def summarise(paragraphs: Sequence[Sequence[str]], count: int, algorithm: str = "default") -> tuple[str, ...]:
    """The ``count`` best sentences, in article order, chosen by ``algorithm``."""
    return summarise_with(sumy_summariser(resolve_algorithm(algorithm)), paragraphs, count)


def summarise_with(summariser: AbstractSummarizer, paragraphs: Sequence[Sequence[str]], count: int) -> tuple[str, ...]:
    """The ``count`` sentences ``summariser`` picks, in article order, without a wire dateline before the lede."""
    if count <= 0 or not any(paragraphs):
        return ()
    document = build_document(paragraphs)
    with numpy.errstate(divide="ignore", invalid="ignore"):  # LexRank divides by zero on one-sentence documents
        chosen = summariser(document, count)
    return tuple(without_dateline(str(sentence)) for sentence in chosen)


def resolve_algorithm(algorithm: str) -> str:
    """The summariser a configured name stands for (``default`` is NewsRank)."""
    name = algorithm.strip().lower().replace("-", "").replace("_", "")
    if name == "default":
        return DEFAULT_ALGORITHM
    if name not in SUMMARISERS:
        raise UnknownAlgorithm(f"unknown summariser {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    return name
