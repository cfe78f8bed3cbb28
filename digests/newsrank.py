"""NewsRank: graph centrality for news, with page furniture left out, a lead prior and a length cap.

Sentences are the nodes of a graph whose edges weigh the stemmed content words two sentences share (counted as
sumy's Reduction counts them) over the sum of their log lengths: Reduction's graph. A sentence is rated by two
centralities on that graph, each scaled to a maximum of 1 and then added: its degree (the sum of its edges,
which is Reduction's rating) and its PageRank (damping 0.85), which also counts how central the sentences it
shares words with are, so a sentence that repeats a side topic at length ranks lower. One matrix product builds
the graph that Reduction builds in Python loops. Then, for news:

* bylines, timestamps, captions, photo references and prompts (:mod:`digests.boilerplate`) are neither rated
  nor chosen (unless too few sentences are left);
* a small prior for position follows the inverted pyramid of news writing: ``lead_weight / (1 + i)`` for
  the i-th story sentence, added to the centrality;
* a digest line should be readable at a glance, and raw centrality favours long sentences (they share more
  words with everything), so a sentence of more than ``max_words`` words has its score scaled by
  ``max_words / words``;
* a sentence that mostly repeats one already chosen (a caption or pull quote restating the text: 80% of the
  shorter one's content words in the other) is passed over while others remain.
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

LEAD_WEIGHT = 0.1
MAX_WORDS = 40
DAMPING = 0.85
PAGERANK_ROUNDS = 30
REPEAT_SHARE = 0.8


class NewsRankSummarizer(AbstractSummarizer):  # type: ignore[misc]
    """A sumy summariser for news articles: ``summarizer(document, count)`` gives sentences in article order."""

    def __init__(
        self,
        stemmer: Callable[[str], str],
        lead_weight: float = LEAD_WEIGHT,
        max_words: int = MAX_WORDS,
        repeat_share: float = REPEAT_SHARE,
        damping: float = DAMPING,
    ) -> None:
        super().__init__(stemmer)
        self.damping = damping
        self.lead_weight = lead_weight
        self.max_words = max_words
        self.repeat_share = repeat_share
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
        words = [self.content_words(sentences[i]) for i in story]
        scores = self.rate([sentences[i] for i in story], words)
        ranked = sorted(range(len(story)), key=lambda k: (-scores[k], k))
        best = self.without_repeats(ranked, [set(w) for w in words], count)
        return tuple(sentences[story[k]] for k in sorted(best))

    def without_repeats(self, ranked: Sequence[int], words: Sequence[set[str]], count: int) -> list[int]:
        """The first ``count`` of ``ranked``, passing over sentences that mostly repeat one already taken."""
        chosen: list[int] = []
        repeats: list[int] = []
        for k in ranked:
            if len(chosen) == count:
                break
            if any(self.repeats(words[k], words[j]) for j in chosen):
                repeats.append(k)
            else:
                chosen.append(k)
        return chosen + repeats[: count - len(chosen)]

    def repeats(self, words: set[str], taken: set[str]) -> bool:
        """True when most of the shorter sentence's content words are in the other one."""
        smaller = min(len(words), len(taken))
        return smaller > 0 and len(words & taken) >= self.repeat_share * smaller

    def rate(self, sentences: Sequence[Sentence], words: Sequence[Sequence[str]]) -> np.ndarray:
        """Degree plus PageRank on Reduction's graph, plus the lead prior, scaled down for long sentences."""
        counts = self.count_matrix(words)
        shared = counts @ counts.T
        np.fill_diagonal(shared, 0.0)
        logs = np.log(np.maximum(counts.sum(axis=1), 1.0))
        norm = logs[:, None] + logs[None, :]
        edges = np.divide(shared, norm, out=np.zeros_like(shared), where=norm > 0)
        centrality = self.scaled(self.scaled(edges.sum(axis=1)) + self.scaled(self.pagerank(edges)))
        prior = self.lead_weight / (1.0 + np.arange(len(sentences)))
        lengths = np.array([max(len(sentence.words), 1) for sentence in sentences], dtype=float)
        scores: np.ndarray = (centrality + prior) * np.minimum(1.0, self.max_words / lengths)
        return scores

    def pagerank(self, edges: np.ndarray) -> np.ndarray:
        """PageRank of a weighted graph by power iteration (a sentence sharing nothing links to all alike)."""
        size = len(edges)
        totals = edges.sum(axis=1, keepdims=True)
        walk = np.divide(edges, totals, out=np.full_like(edges, 1.0 / max(size, 1)), where=totals > 0)
        rank = np.full(size, 1.0 / max(size, 1))
        for _ in range(PAGERANK_ROUNDS):
            rank = (1.0 - self.damping) / size + self.damping * (rank @ walk)
        return rank

    @staticmethod
    def scaled(values: np.ndarray) -> np.ndarray:
        """Values divided by their maximum (unchanged when that is not positive)."""
        top = values.max(initial=0.0)
        return values / top if top > 0 else values

    def content_words(self, sentence: Sentence) -> list[str]:
        """Stemmed words of a sentence, stop words left out."""
        stem = self._stemmer
        stop_words = self._stop_words
        return [stem(word) for word in (token.lower() for token in sentence.words) if word not in stop_words]

    @staticmethod
    def count_matrix(words: Sequence[Sequence[str]]) -> np.ndarray:
        """Sentence-by-term counts."""
        vocabulary: dict[str, int] = {}
        cells = [[vocabulary.setdefault(word, len(vocabulary)) for word in sentence] for sentence in words]
        matrix = np.zeros((len(words), max(len(vocabulary), 1)))
        for row, columns in enumerate(cells):
            np.add.at(matrix[row], columns, 1.0)
        return matrix
