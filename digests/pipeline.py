"""Article in, analysis out: sentence splitting, summary and fact extraction."""

from __future__ import annotations

from dataclasses import dataclass

from digests.facts import extract_facts
from digests.models import Analysis, Article
from digests.sentences import split_sentences
from digests.summaries import summarise


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
    return Analysis(sentences=sentences, summary=summary, **extract_facts(sentences))
