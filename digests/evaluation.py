"""Summary evaluation: corpus article/summary pairs, ROUGE F1 (rouge-score, stemmed) and pipeline timing."""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rouge_score import rouge_scorer

from digests.boilerplate import without_dateline
from digests.facts import extract_facts
from digests.loaders import ArticleError, load_file
from digests.readability import KINDS, flags
from digests.sentences import split_sentences

logger = logging.getLogger(__name__)

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
FIXED_LENGTH = 3

Summariser = Callable[[Sequence[Sequence[str]], int], Sequence[str]]
Splitter = Callable[[str], Sequence[str]]


class CorpusError(ValueError):
    """A corpus folder that cannot be evaluated; the message says why in one line."""


@dataclass(frozen=True)
class Pair:
    """One article file and its reference summary (one sentence per line)."""

    name: str
    article: Path
    summary: Path

    def reference(self) -> tuple[str, ...]:
        """The reference summary's sentences."""
        text = self.summary.read_text(encoding="utf-8-sig")
        return tuple(line.strip() for line in text.splitlines() if line.strip())


def corpus_pairs(root: Path, limit: int | None = None) -> list[Pair]:
    """Pairs ``article/<topic>/NNN.txt`` + ``summary/<topic>/NNN.txt`` under ``root``, sorted by name."""
    if not root.is_dir():
        raise CorpusError(f"{root}: no such corpus folder")
    articles = root / "article"
    summaries = root / "summary"
    pairs: list[Pair] = []
    if articles.is_dir() and summaries.is_dir():
        for article in sorted(articles.rglob("*.txt")):
            relative = article.relative_to(articles)
            summary = summaries / relative
            if summary.is_file():
                pairs.append(Pair(relative.with_suffix("").as_posix(), article, summary))
    if not pairs:
        raise CorpusError(
            f"{root}: no article/summary pairs (expected article/<topic>/NNN.txt and summary/<topic>/NNN.txt)"
        )
    return pairs[:limit] if limit else pairs


@lru_cache(maxsize=1)
def scorer() -> rouge_scorer.RougeScorer:
    """rouge-score with Porter stemming; its absl logger kept quiet."""
    logging.getLogger("absl").setLevel(logging.WARNING)
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge_f1(candidate: Sequence[str], reference: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F1 of a candidate summary against a reference, both given as sentences."""
    scores = scorer().score(" ".join(reference), " ".join(candidate))
    return {name: scores[name].fmeasure for name in ROUGE_TYPES}


def lead(paragraphs: Sequence[Sequence[str]], count: int) -> tuple[str, ...]:
    """Lead-N: the article's first ``count`` sentences."""
    return tuple(sentence for paragraph in paragraphs for sentence in paragraph)[: max(count, 0)]


@dataclass(frozen=True)
class System:
    """A whole pipeline to evaluate: how paragraphs are split and how a summary is chosen."""

    name: str
    summarise: Summariser
    split: Splitter = split_sentences
    before: Callable[[], None] = field(default=lambda: None)


@dataclass(frozen=True)
class Result:
    """Mean ROUGE F1 at the reference's length (``oracle``) and at three sentences, readability of the
    three-sentence summaries (share of their sentences each check flags), and pipeline speed."""

    name: str
    rouge: dict[str, float]
    ms_per_article: float
    articles_per_s: float
    readability: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, float]:
        """Flat figures: ``rouge2_oracle``, ``rouge2_3``, ..., ``caption_rate``, ..., ``ms_per_article``, ..."""
        rates = {f"{kind}_rate": value for kind, value in self.readability.items()}
        return {**self.rouge, **rates, "ms_per_article": self.ms_per_article, "articles_per_s": self.articles_per_s}


def summary_flags(summary: Sequence[str], paragraphs: Sequence[Sequence[str]]) -> dict[str, int]:
    """Readability flags of a summary whose sentences are sentences of ``paragraphs``."""
    sentences = [sentence for paragraph in paragraphs for sentence in paragraph]
    first: dict[str, int] = {}
    for index, sentence in enumerate(sentences):
        first.setdefault(sentence, index)
        first.setdefault(without_dateline(sentence), index)
    chosen = [(first[sentence], sentence) for sentence in summary if sentence in first]
    shown = list(sentences)
    for index, sentence in chosen:
        shown[index] = sentence  # flags see the sentence as the summary shows it
    return flags([index for index, _ in chosen], shown)


def evaluate(systems: Sequence[System], pairs: Sequence[Pair], rounds: int = 1) -> list[Result]:
    """Run parse + split + summarise of every system over every pair and score the summaries.

    Speed: each round empties the systems' caches and then, article by article, times each system's whole
    pipeline in turn, so that other work on the machine falls on all of them alike; an article's time for a
    system is its best round.
    """
    keys = [f"{name}_{length}" for length in ("oracle", str(FIXED_LENGTH)) for name in ROUGE_TYPES]
    totals = [dict.fromkeys(keys, 0.0) for _ in systems]
    flagged = [dict.fromkeys(KINDS, 0) for _ in systems]
    summary_sentences = [0 for _ in systems]
    best = [[float("inf")] * len(pairs) for _ in systems]
    references = [pair.reference() for pair in pairs]
    for round_ in range(max(rounds, 1)):
        for system in systems:
            system.before()
        for index, pair in enumerate(pairs):
            reference = references[index]
            for number, system in enumerate(systems):
                started = time.process_time()
                try:
                    article = load_file(pair.article)
                except ArticleError as error:
                    raise CorpusError(str(error)) from None
                paragraphs = [list(system.split(paragraph)) for paragraph in article.paragraphs]
                summary = system.summarise(paragraphs, len(reference))
                best[number][index] = min(best[number][index], time.process_time() - started)
                if round_ == 0:
                    fixed = system.summarise(paragraphs, FIXED_LENGTH)
                    summary_sentences[number] += len(fixed)
                    for kind, flagged_count in summary_flags(fixed, paragraphs).items():
                        flagged[number][kind] += flagged_count
                    for length, candidate in (("oracle", summary), (str(FIXED_LENGTH), fixed)):
                        for name, value in rouge_f1(candidate, reference).items():
                            totals[number][f"{name}_{length}"] += value
    count = max(len(pairs), 1)
    return [
        Result(
            name=system.name,
            rouge={key: value / count for key, value in totals[number].items()},
            ms_per_article=statistics.median(best[number]) * 1000 if pairs else 0.0,
            articles_per_s=len(pairs) / sum(best[number]) if pairs else 0.0,
            readability={kind: n / max(summary_sentences[number], 1) for kind, n in flagged[number].items()},
        )
        for number, system in enumerate(systems)
    ]


def library_system(name: str) -> System:
    """One of newsdigest's summarisers over newsdigest's splitter, with a stem cache of its own."""
    from digests.summaries import CachedStemmer, make_summariser, resolve_algorithm, summarise_with

    stem = CachedStemmer()
    summariser = make_summariser(resolve_algorithm(name), stem)

    def run(paragraphs: Sequence[Sequence[str]], count: int) -> Sequence[str]:
        return summarise_with(summariser, paragraphs, count)

    return System(name=name, summarise=run, before=stem.cache_clear)


def whole_analysis() -> System:
    """The default summary and every fact newsdigest extracts (figures, quotes, actors): the whole analysis."""
    system = library_system("default")

    def run(paragraphs: Sequence[Sequence[str]], count: int) -> Sequence[str]:
        extract_facts(tuple(sentence for paragraph in paragraphs for sentence in paragraph))
        return system.summarise(paragraphs, count)

    return System(name="analysis", summarise=run, before=system.before)


def plain_sumy_pysbd() -> System:
    """The issue's stock pipeline, for speed and as a ROUGE check: sumy as it comes, with pysbd for sentences.

    As sumy's ``PlaintextParser`` does, a paragraph's lines are joined with spaces and the whole paragraph goes to
    pysbd; words are NLTK's Treebank tokens that sumy's own ``Tokenizer`` counts as words (``NLTKWordTokenizer``
    needs no NLTK data); sumy's Reduction with sumy's own NLTK Snowball stemmer.
    """
    import pysbd
    from nltk.tokenize import NLTKWordTokenizer
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.nlp.tokenizers import Tokenizer
    from sumy.summarizers.reduction import ReductionSummarizer

    from digests.summaries import stop_words

    segmenter = pysbd.Segmenter(language="en", clean=False)
    words = NLTKWordTokenizer()
    summariser = ReductionSummarizer(Stemmer("english"))
    summariser.stop_words = stop_words()

    class StockTokenizer:
        language = "english"

        def to_sentences(self, paragraph: str) -> tuple[str, ...]:
            return tuple(sentence.strip() for sentence in segmenter.segment(paragraph) if sentence.strip())

        def to_words(self, sentence: str) -> tuple[str, ...]:
            return tuple(word for word in words.tokenize(sentence) if Tokenizer._is_word(word))

    tokenizer = StockTokenizer()

    def split(paragraph: str) -> list[str]:
        return list(tokenizer.to_sentences(" ".join(line.strip() for line in paragraph.splitlines())))

    def run(paragraphs: Sequence[Sequence[str]], count: int) -> Sequence[str]:
        document = ObjectDocumentModel(
            tuple(Paragraph([Sentence(text, tokenizer) for text in sentences]) for sentences in paragraphs if sentences)
        )
        return [str(sentence) for sentence in summariser(document, count)]

    return System(name="plain sumy+pysbd (reduction)", summarise=run, split=split)
