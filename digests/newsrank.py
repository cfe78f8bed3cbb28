"""NewsRank: sumy's Reduction centrality for news, with page furniture left out and a lead prior.

Each sentence is rated by how much it shares with every other sentence (sumy's Reduction edge weight:
shared stemmed content words over the sum of the log lengths), computed in one matrix product instead of
Python loops. Bylines, timestamps, captions and prompts (:mod:`digests.boilerplate`) are neither rated nor
chosen. A small prior for position follows the inverted pyramid of news writing: ``lead_weight / (1 + i)``
for the i-th story sentence, added to the centrality scaled to 1.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sumy.models.dom import ObjectDocumentModel, Sentence
from sumy.summarizers._summarizer import AbstractSummarizer

from digests.boilerplate import is_boilerplate

logger = logging.getLogger(__name__)

LEAD_WEIGHT = 0.25


class NewsRankSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """A sumy summariser for news articles: ``summarizer(document, count)`` gives sentences in article order."""

    def __init__(self, stemmer: Callable[[str], str], lead_weight: float = LEAD_WEIGHT) -> None:
        super().__init__(stemmer)
        self.lead_weight = lead_weight
        self._stop_words: frozenset[str] = frozenset()

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(map(self.normalize_word, words))

    def __call__(self, document: ObjectDocumentModel, sentences_count: Any) -> tuple[Sentence, ...]:
        sentences: Sequence[Sentence] = document.sentences
        count = int(sentences_count)
        if count <= 0 or not sentences:
            return ()
        story = [i for i, sentence in enumerate(sentences) if not is_boilerplate(str(sentence))]
        if len(story) < min(count, len(sentences)):
            story = list(range(len(sentences)))
        scores = self.rate([sentences[i] for i in story])
        best = sorted(range(len(story)), key=lambda k: (-scores[k], k))[:count]
        return tuple(sentences[story[k]] for k in sorted(best))

    def rate(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """Centrality (scaled to a maximum of 1) plus the lead prior, one score per sentence."""
        words = [self.content_words(sentence) for sentence in sentences]
        counts = self.count_matrix(words)
        shared = counts @ counts.T
        logs = np.log(np.maximum(counts.sum(axis=1), 1.0))
        norm = logs[:, None] + logs[None, :]
        edges = np.divide(shared, norm, out=np.zeros_like(shared), where=norm > 0)
        np.fill_diagonal(edges, 0.0)
        centrality = edges.sum(axis=1)
        top = centrality.max(initial=0.0)
        if top > 0:
            centrality /= top
        prior = self.lead_weight / (1.0 + np.arange(len(sentences)))
        scores: np.ndarray = centrality + prior
        return scores

    def content_words(self, sentence: Sentence) -> list[str]:
        """Stemmed words of a sentence, stop words left out."""
        normalised = (self.normalize_word(word) for word in sentence.words)
        return [self.stem_word(word) for word in normalised if word not in self._stop_words]

    @staticmethod
    def count_matrix(words: Sequence[Sequence[str]]) -> np.ndarray:
        """Sentence-by-term counts."""
        vocabulary: dict[str, int] = {}
        cells = [[vocabulary.setdefault(word, len(vocabulary)) for word in sentence] for sentence in words]
        matrix = np.zeros((len(words), max(len(vocabulary), 1)))
        for row, columns in enumerate(cells):
            np.add.at(matrix[row], columns, 1.0)
        return matrix
