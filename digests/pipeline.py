"""Article in, analysis out: sentence splitting, summary and fact extraction."""

from __future__ import annotations

from dataclasses import dataclass

from digests.facts import extract_facts
from digests.models import Analysis, Article
from digests.sentences import split_sentences
from digests.summaries import summarise

# Bump whenever what analyse() produces changes (sentence splitting, summaries, figures, quotes, actors), so
# articles stored by an older version are analysed again when next needed (and by `newsdigest reanalyse`).
# 2: sumy's own words for every summariser; NewsRank with PageRank
# 3: own linear sentence splitter (no pysbd), caption runs cut; NewsRank with a lead prior and readable choices
ANALYSIS_VERSION = 3


@dataclass(frozen=True)
class SummarySettings:
    """Which summariser to use and how many sentences it keeps."""

    algorithm: str = "default"
    sentences: int = 3


def analyse(article: Article, settings: SummarySettings | None = None) -> Analysis:
    """Everything newsdigest computes about an article at ingest time."""
    settings = settings or SummarySettings()
    paragraphs = [split_sentences(paragraph) for paragraph in article.paragraphs]
    sentences = tuple(sentence for paragraph in paragraphs for sentence in paragraph)
    summary = summarise(paragraphs, settings.sentences, settings.algorithm)
    return Analysis(
        sentences=sentences,
        summary=summary,
        **extract_facts(sentences),
        version=ANALYSIS_VERSION,
        summariser=settings.algorithm,
        summary_sentences=settings.sentences,
    )


def is_current(analysis: Analysis, settings: SummarySettings | None = None) -> bool:
    """Whether ``analysis`` is what :func:`analyse` would make now with ``settings`` (version and summariser)."""
    settings = settings or SummarySettings()
    return (
        analysis.version == ANALYSIS_VERSION
        and analysis.summariser == settings.algorithm
        and analysis.summary_sentences == settings.sentences
    )


@dataclass(frozen=True)
class ArticleAnalyser:
    """:func:`analyse` with fixed settings, as the store uses it to bring outdated analyses up to date."""

    settings: SummarySettings = SummarySettings()

    def analyse(self, article: Article) -> Analysis:
        return analyse(article, self.settings)

    def is_current(self, analysis: Analysis) -> bool:
        return is_current(analysis, self.settings)
